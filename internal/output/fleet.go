package output

import (
	"bytes"
	"io"
	"text/tabwriter"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// KindFleet is the kind of the document of several clusters.
const KindFleet = "FleetSnapshot"

// Member is one cluster of a fleet as the outputs read it.
type Member struct {
	// Context is its kubeconfig context's name; Server its API server URL.
	Context, Server string
	Snapshot        *cluster.Snapshot
}

// FleetDocument is one snapshot of several clusters (kind FleetSnapshot):
// the fleet's totals, then each cluster's ClusterSnapshot with its
// context, in the order asked for.
type FleetDocument struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Time is the newest of the clusters' snapshot times.
	Time     string            `json:"time"`
	Fleet    Fleet             `json:"fleet"`
	Clusters []ClusterDocument `json:"clusters"`
}

// ClusterDocument is a cluster's document with where it came from: an
// entry of a FleetSnapshot's clusters, and the first line of a cluster in
// a fleet's NDJSON.
type ClusterDocument struct {
	Context string `json:"context"`
	Server  string `json:"server"`
	Document
}

// ClusterChange is a change record of one cluster of a fleet's stream.
type ClusterChange struct {
	Context string `json:"context"`
	Change
}

// Fleet is the fleet line as data: the sums over its clusters.
type Fleet struct {
	Clusters int `json:"clusters"`
	// OK counts the clusters synced and reachable; Stale the others
	// (unreachable, or not synced when --timeout passed).
	OK    int `json:"ok"`
	Stale int `json:"stale"`
	Nodes int `json:"nodes"`
	// Resources sums each shown resource over the clusters, as a
	// cluster's summary does over its nodes.
	Resources map[string]Resource `json:"resources"`
	// Hourly and Monthly sum the clusters' known prices: null when no
	// cluster has one (--disable-pricing), or when they are in different
	// currencies. LowerBound: some cluster's total is one (unknown prices),
	// or some cluster is not ok, so the sums may miss nodes.
	Hourly     *float64 `json:"hourly"`
	Monthly    *float64 `json:"monthly"`
	Currency   *string  `json:"currency"`
	LowerBound bool     `json:"lowerBound"`
}

// BuildFleet turns the members' snapshots into the fleet's document.
func BuildFleet(members []Member) FleetDocument {
	d := FleetDocument{APIVersion: APIVersion, Kind: KindFleet, Clusters: make([]ClusterDocument, len(members))}
	var newest time.Time
	for i, m := range members {
		d.Clusters[i] = ClusterDocument{Context: m.Context, Server: m.Server, Document: Build(m.Snapshot)}
		if m.Snapshot.Taken.After(newest) {
			newest = m.Snapshot.Taken
		}
	}
	d.Time = stamp(newest)
	d.Fleet = fleetTotals(members, d.Clusters)
	return d
}

// clusterOK: a cluster's snapshot is complete and current (synced and
// reachable).
func clusterOK(s *cluster.Snapshot) bool { return s.Synced && s.Stale == nil }

func fleetTotals(members []Member, docs []ClusterDocument) Fleet {
	f := Fleet{Clusters: len(members)}
	var names []string
	var totals []cluster.Quantity
	var hourly float64
	priced := false
	currencies := map[string]bool{}
	for i, m := range members {
		s, sum := m.Snapshot, &docs[i].Summary
		for r, name := range s.Resources {
			k := indexOf(names, name)
			if k < 0 {
				names, totals, k = append(names, name), append(totals, cluster.Quantity{}), len(names)
			}
			if r < len(s.Totals) {
				totals[k].Used += s.Totals[r].Used
				totals[k].Allocatable += s.Totals[r].Allocatable
			}
		}
		f.Nodes += sum.Nodes
		if clusterOK(s) {
			f.OK++
		} else {
			f.Stale++
			f.LowerBound = true
		}
		f.LowerBound = f.LowerBound || sum.LowerBound
		if sum.PricePerHour != nil {
			priced = true
			hourly += s.Cost.Hourly
			if sum.Currency != nil {
				currencies[*sum.Currency] = true
			}
		}
	}
	f.Resources = resources(names, totals)
	if priced && len(currencies) <= 1 {
		f.Hourly = finite(roundTo(hourly, 8))
		f.Monthly = finite(roundTo(hourly*pricing.HoursPerMonth, 4))
		for c := range currencies {
			f.Currency = optional(c)
		}
	}
	return f
}

// WriteFleet writes the members' snapshots in format f: one FleetSnapshot
// document (json, yaml), one table with a CONTEXT column first (table,
// wide), or for ndjson one ClusterSnapshot line per cluster with its
// context (the first lines of a fleet's --watch).
func WriteFleet(w io.Writer, f Format, members []Member) error {
	switch f {
	case Table, Wide:
		return writeFleetTable(w, members, f == Wide)
	case JSON:
		d := BuildFleet(members)
		return encode(w, &d, "  ")
	case YAML:
		d := BuildFleet(members)
		return writeFleetYAML(w, &d)
	case NDJSON:
		var buf bytes.Buffer
		for _, m := range members {
			d := ClusterDocument{Context: m.Context, Server: m.Server, Document: Build(m.Snapshot)}
			if err := encode(&buf, &d, ""); err != nil {
				return err
			}
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	_, err := ParseFormat(string(f))
	return err
}

// writeFleetTable is the members' node lines in one table, each line
// starting with its cluster's context. The columns are the first
// member's (every cluster of a run has the same options), with prices
// and usage when any member has them.
func writeFleetTable(w io.Writer, members []Member, wide bool) error {
	if len(members) == 0 {
		return nil
	}
	l := layoutOf(members[0].Snapshot, wide)
	for _, m := range members[1:] {
		l.priced = l.priced || !m.Snapshot.Cost.Disabled
		l.usage = l.usage || m.Snapshot.Usage != nil
	}
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	writeRow(tw, l.header([]string{"CONTEXT"}))
	row := make([]string, 0, 32)
	for _, m := range members {
		s := m.Snapshot
		for i := range s.Nodes {
			row = l.row(append(row[:0], cell(m.Context)), s, s.Nodes[i])
			writeRow(tw, row)
		}
	}
	return tw.Flush()
}

// writeFleetYAML writes the fleet document as YAML, every cluster's nodes
// emitted one by one as writeYAML does.
func writeFleetYAML(w io.Writer, d *FleetDocument) error {
	plain := map[string]bool{}
	head := *d
	head.Clusters = []ClusterDocument{}
	b, err := yamlBytes(&head, plain)
	if err != nil {
		return err
	}
	if b, err = openList(b, "clusters", len(d.Clusters)); err != nil {
		return err
	}
	for i := range d.Clusters {
		c := d.Clusters[i]
		nodes := c.Nodes
		c.Nodes = []Node{}
		cb, err := yamlWithNodes(&c, nodes, plain)
		if err != nil {
			return err
		}
		b = appendItem(b, cb)
	}
	_, err = w.Write(b)
	return err
}

// NewClusterStream starts the change stream of one cluster of a fleet on
// w: its first line is a ClusterSnapshot with the context and server, the
// change records carry the context.
func NewClusterStream(w io.Writer, context, server string) *Stream {
	return &Stream{w: w, member: &Member{Context: context, Server: server}}
}
