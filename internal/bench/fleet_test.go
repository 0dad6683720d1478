package main

import (
	"strings"
	"testing"
	"time"
)

// A fleet screen as the fleet contract (issue 15) draws it.
const fleetScreen = `3 clusters (3 ok) · 1,500 nodes · cpu 15,447.03/29,782.5 cores 51.9% · ~$85.410/hour | ~$62,349.300/month

> ▾ fleet-1  https://127.0.0.1:40001  ok
    500 nodes (5,149.01/9,927.5 cores)  51.9% cpu █████████████░░░░░░░░░░░░ ~$28.470/hour | ~$20,783.100/month
    10,000 pods (0 pending 10,000 running 10,000 bound)
  ▾ fleet-2  https://127.0.0.1:40002  ok
    500 nodes (5,149.01/9,927.5 cores)  51.9% cpu █████████████░░░░░░░░░░░░ ~$28.470/hour | ~$20,783.100/month
    10,000 pods (0 pending 10,000 running 10,000 bound)
  ▾ fleet-3  https://127.0.0.1:40003  ok
    500 nodes (5,149.01/9,927.5 cores)  51.9% cpu █████████████░░░░░░░░░░░░ ~$28.470/hour | ~$20,783.100/month
    10,000 pods (0 pending 10,000 running 10,000 bound)`

func TestFleetComplete(t *testing.T) {
	ctxs := []string{"fleet-1", "fleet-2", "fleet-3"}
	want := expected{nodes: 500, pods: 10000}
	if !fleetComplete(fleetScreen, ctxs, want) {
		t.Fatal("the complete fleet screen is not complete")
	}
	for what, screen := range map[string]string{
		"a block syncing":    strings.Replace(fleetScreen, "40002  ok", "40002  syncing", 1),
		"a block stale":      strings.Replace(fleetScreen, "40003  ok", "40003  stale 3s · API server unreachable", 1),
		"a block unpriced":   strings.Replace(fleetScreen, "~$28.470/hour | ~$20,783.100/month\n    10,000 pods", "$?/hour | $?/month\n    10,000 pods", 1),
		"a block's pods":     strings.Replace(fleetScreen, "10,000 pods", "9,235 pods", 1),
		"a block missing":    fleetScreen[:strings.Index(fleetScreen, "  ▾ fleet-3")],
		"the fleet line ok":  strings.Replace(fleetScreen, "(3 ok)", "(2 ok, 1 stale)", 1),
		"the fleet's nodes":  strings.Replace(fleetScreen, "1,500 nodes", "1,000 nodes", 1),
		"no fleet line":      fleetScreen[strings.Index(fleetScreen, "\n")+1:],
		"the fleet unpriced": strings.Replace(fleetScreen, "~$85.410/hour", "?/hour", 1),
	} {
		if fleetComplete(screen, ctxs, want) {
			t.Errorf("%s: complete", what)
		}
	}
}

func TestAloneComplete(t *testing.T) {
	want := expected{nodes: 5000, pods: 100000}
	if !aloneComplete(screen, want) {
		t.Fatal("the complete screen is not complete")
	}
	if aloneComplete(strings.Replace(screen, ">=$1,234.567/hour", "$?/hour", 1), want) {
		t.Error("a screen without a price is complete")
	}
	if aloneComplete(screen, expected{nodes: 5000, pods: 99999}) {
		t.Error("a screen short of pods is complete")
	}
}

func TestFleetRows(t *testing.T) {
	r := &fleetResult{
		clusters: 3, size: size{500, 10000}, contexts: []string{"fleet-1", "fleet-2", "fleet-3"},
		alone: map[string][]time.Duration{
			"fleet-1": {1000 * time.Millisecond, 1100 * time.Millisecond, 900 * time.Millisecond},
			"fleet-2": {1500 * time.Millisecond, 1400 * time.Millisecond, 1600 * time.Millisecond},
			"fleet-3": {1200 * time.Millisecond},
		},
		aloneRSS: []int64{50 << 20, 60 << 20, 55 << 20},
		together: []time.Duration{1600 * time.Millisecond, 1500 * time.Millisecond, 1400 * time.Millisecond},
		firsts:   []time.Duration{1700 * time.Millisecond, 1900 * time.Millisecond, 1750 * time.Millisecond},
		rss:      []int64{170 << 20, 190 << 20, 180 << 20},
	}
	first, ok := findRow(r.rows(), "first complete screen")
	// 1.75 s against the singles' 1.5 s (median of the slowest at once): 1.17x, met.
	if !ok || first.ref != "1.50 s (slowest of 3 singles at once)" || first.ours != "1.75 s" || first.ratio != "1.17x" || first.result != "met" {
		t.Errorf("first screen row %+v", first)
	}
	// And, unjudged, against fleet-2's median alone (1.5 s).
	if alone, ok := findRow(r.rows(), "  the same against a cluster alone"); !ok || alone.ref != "1.50 s (fleet-2 alone)" || alone.result != "-" {
		t.Errorf("the row against a cluster alone %+v", alone)
	}
	rss, ok := findRow(r.rows(), "RSS after sync")
	// 180 MB against 55 MB: 3.27x, met.
	if !ok || rss.ref != "55 MB (one alone)" || rss.ours != "180 MB" || rss.ratio != "3.27x" || rss.result != "met" {
		t.Errorf("RSS row %+v", rss)
	}
	r.firsts, r.rss = []time.Duration{2 * time.Second}, []int64{200 << 20}
	if first, _ := findRow(r.rows(), "first complete screen"); first.result != "missed" {
		t.Errorf("2 s against 1.5 s: %+v", first)
	}
	if rss, _ := findRow(r.rows(), "RSS after sync"); rss.result != "missed" {
		t.Errorf("200 MB against 55 MB: %+v", rss)
	}
	// The fleet viewer failed (no fleet support): the rows say missed.
	r.firsts, r.rss = nil, nil
	for _, x := range r.rows() {
		if x.ours != "not measured" || x.result != "missed" {
			t.Errorf("without fleet runs: %+v", x)
		}
	}
	if n := len(r.rows()); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
	if note := r.note(); !strings.Contains(note, "fleet-2 1.50,1.40,1.60 s") {
		t.Errorf("note %q lacks fleet-2's runs", note)
	}
}
