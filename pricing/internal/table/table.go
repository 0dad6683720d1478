// Package table is the file format of the static on-demand list-price table
// embedded in the pricing package and written by its generator.
package table

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// Unit is what every price in a Table means.
const Unit = "on-demand Linux list price per instance-hour (shared tenancy; dedicated for bare metal)"

// Table holds on-demand hourly list prices per region and instance type.
type Table struct {
	Unit    string             `json:"unit"`
	Regions map[string]*Region `json:"regions"`
}

// Region is one region's prices and where they came from.
type Region struct {
	Captured time.Time          `json:"captured"`
	Currency string             `json:"currency"` // "USD" or "CNY"
	Source   string             `json:"source"`
	Prices   map[string]float64 `json:"prices"` // instance type -> hourly price
}

// Read decodes a Table.
func Read(r io.Reader) (*Table, error) {
	var t Table
	if err := json.NewDecoder(r).Decode(&t); err != nil {
		return nil, fmt.Errorf("decode price table: %w", err)
	}
	if t.Regions == nil {
		t.Regions = map[string]*Region{}
	}
	return &t, nil
}

// Write encodes t with sorted keys, one price per line, so regenerating
// gives reviewable diffs.
func (t *Table) Write(w io.Writer) error {
	t.Unit = Unit
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(t); err != nil {
		return fmt.Errorf("encode price table: %w", err)
	}
	return nil
}

// RegionNames returns the table's regions, sorted.
func (t *Table) RegionNames() []string {
	return slices.Sorted(maps.Keys(t.Regions))
}

// Shared is the layout of the project's shared list-price capture
// (ec2-ondemand-list-prices.json), the generator's offline input.
type Shared struct {
	GeneratedAt map[string]time.Time          `json:"generated_at"`
	Regions     map[string]map[string]float64 `json:"regions"`
	Source      string                        `json:"source"`
	Unit        string                        `json:"unit"`
}

// ReadShared decodes the shared capture and converts it to a Table.
func ReadShared(r io.Reader) (*Table, error) {
	var s Shared
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode shared price capture: %w", err)
	}
	t := &Table{Regions: map[string]*Region{}}
	for name, prices := range s.Regions {
		t.Regions[name] = &Region{
			Captured: s.GeneratedAt[name],
			Currency: Currency(name),
			Source:   s.Source,
			Prices:   prices,
		}
	}
	return t, nil
}

// Currency is the currency AWS prices a region in.
func Currency(region string) string {
	if len(region) >= 3 && region[:3] == "cn-" {
		return "CNY"
	}
	return "USD"
}
