package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// simRow is one row of the simulation's table: value is what is judged
// (and compared across sizes), shown how it reads.
type simRow struct {
	metric, shown, target string
	value                 float64
	ok                    bool
	judged                bool // false: no target of its own ("-")
	// why explains the row's growth with the cluster, for the note.
	why string
	// ratio, when set, is the ratio column's text (else value's ratio).
	ratio string
}

func (r *simResult) rows(smallest *simResult) []simRow {
	var rows []simRow
	if r.heapAll.inuse > 0 && r.size.pods > 0 {
		pods := float64(r.size.pods)
		per := float64(r.heapAll.inuse) / pods
		rows = append(rows, simRow{
			metric: "memory held per pod (model + store + screen)",
			shown: fmt.Sprintf("%.0f B (%s; model + store %.0f B; live objects %.0f B)", per, mb(r.heapAll.inuse),
				float64(r.heapModel.inuse)/pods, float64(r.heapAll.live)/pods),
			target: fmt.Sprintf("<= %.1f KB", targetSimPodBytes/1024), value: per, ok: per <= targetSimPodBytes, judged: true,
			why: "memory: held per pod should not grow; what grows is the maps' and interned strings' share",
		})
	}
	if r.pod.feed.ns > 0 {
		// Judged on the sum, the figure an informer pays; the ratio
		// column shows the feed's part apart, which the decode (the
		// same at every size) would hide.
		row := eventRow("pod event: feed + informer decode", r.pod, "pod event")
		row.target, row.judged, row.ok = fmt.Sprintf("flat: <= %.1fx", targetSimEventGrowth), true, true
		if smallest == r {
			row.target, row.judged = "(the baseline of flat)", false
		}
		if b := smallest; b != nil && b != r && b.pod.feed.ns > 0 {
			t, bt := r.pod.total(), b.pod.total()
			row.ratio = fmt.Sprintf("%.2fx (feed %.2fx)", t.ns/bt.ns, r.pod.feed.ns/b.pod.feed.ns)
			row.ok = t.ns/bt.ns <= targetSimEventGrowth && t.allocs <= bt.allocs*targetSimEventGrowth
		}
		rows = append(rows, row)
	}
	if r.hotPod.ns > 0 {
		rows = append(rows, simRow{
			metric: fmt.Sprintf("  the feed's part, the same %s pods over and over", thousands(podEventBodies)),
			shown:  fmt.Sprintf("%.1f µs (GC %.1f of it), %.0f allocs", r.hotPod.ns/1e3, r.hotPod.gcNs/1e3, r.hotPod.allocs),
			target: "-", value: r.hotPod.ns,
			why: "pod events on a few pods (the feed's part): these miss the caches more too, as the store's table (a key per pod) and the nodes' pod sets they touch spread over more memory; allocations do not grow",
		})
	}
	if r.node.feed.ns > 0 {
		rows = append(rows, eventRow("node status event: feed + informer decode", r.node, "node event"))
	}
	if f := r.frameMedian(); f.total() > 0 {
		rows = append(rows, simRow{
			metric: fmt.Sprintf("frame after a pod change (%dx%d, n=%d)", simWidth, simHeight, len(r.frames)),
			shown: fmt.Sprintf("%s (snapshot %s + update %s + view %s); %s", ms2(f.total()), ms2(f.snap), ms2(f.update), ms2(f.view),
				r.garbage(f.bytes)),
			target: "<= 10 ms", value: float64(f.total()), ok: f.total() <= targetSimFrame, judged: true,
			why: "frame: the list is kept between snapshots: a pod change rebuilds its node's row, copies the list's pointers (8 bytes a node) and sums that row's block of 512 again; the list's Update writes an index per row; what grows is those copies (memmove, not cache misses) and the collector's share of a larger heap",
		})
	}
	if o := r.openMedian(); o.total > 0 {
		rows = append(rows, simRow{
			metric: fmt.Sprintf("open a node view (enter to its frame, n=%d)", len(r.opens)),
			shown:  fmt.Sprintf("%s (snapshot %s); %s", ms2(o.total), ms2(o.snap), r.garbage(o.bytes)),
			target: "<= 10 ms (a frame)", value: float64(o.total), ok: o.total <= targetSimFrame, judged: true,
			why: "open a node view: the snapshot carries the node list too (the list under the node view shares it: a copy of its pointers), then the node's pods",
		})
	}
	if p := r.pollMedian(); p.total() > 0 {
		f := p.frame
		share := float64(p.total()) / float64(options.DefaultUsageInterval)
		rows = append(rows, simRow{
			metric: fmt.Sprintf("frame after a usage poll (every node's sample moves, n=%d)", len(r.polls)),
			shown: fmt.Sprintf("%s (apply %s + snapshot %s + update %s + view %s); %.2f%% core per %s; %s", ms2(p.total()), ms2(p.apply),
				ms2(f.snap), ms2(f.update), ms2(f.view), 100*share, options.DefaultUsageInterval, r.garbage(f.bytes)),
			target: "- (every row changes)", value: float64(p.total()),
			why: "frame after a usage poll: a poll carries every node and every sample is a change, so every row is rebuilt: O(nodes) because the change is; measured as the share of a core per poll interval",
		})
	}
	if r.sortFirst > 0 {
		rows = append(rows, simRow{
			metric: "re-sort: first snapshot with --node-sort " + simSortKey,
			shown:  fmt.Sprintf("%s (then %s without a change)", ms2(r.sortFirst), ms2(r.sortNext)),
			target: "- (every row changes)", value: float64(r.sortFirst),
			why: "re-sort: the sort is set when the model is made (Options.Sort, --node-sort), so this is the first snapshot of a model made with another sort on the same objects: every row built, priced and sorted, O(n log n) by nature",
		})
	}
	if r.pollSnap > 0 {
		rows = append(rows, simRow{
			metric: "usage poll, sorted by cpu-used: apply + snapshot",
			shown:  fmt.Sprintf("%s (apply %s + snapshot %s)", ms2(r.pollApply+r.pollSnap), ms2(r.pollApply), ms2(r.pollSnap)),
			target: "- (every row changes)", value: float64(r.pollApply + r.pollSnap),
			why: "usage poll, sorted by cpu-used: as the frame after a poll, and every row's key moves, so all rows are sorted again (O(n log n) because the change is every row)",
		})
	}
	return rows
}

// garbage says what a frame allocated and what collecting it costs later
// (the collector runs beside the screen, so this is CPU, not latency).
func (r *simResult) garbage(bytes uint64) string {
	return fmt.Sprintf("allocates %.1f MB, +%s GC", float64(bytes)/(1<<20), ms2(time.Duration(r.gcPerByte*float64(bytes))))
}

// eventRow shows an event's cost (informational unless judged by the
// caller).
func eventRow(metric string, e eventCost, what string) simRow {
	t := e.total()
	return simRow{
		metric: metric,
		shown: fmt.Sprintf("%.1f µs (%.1f + %.1f; GC %.1f of it), %.0f allocs (%.0f + %.0f)", t.ns/1e3, e.feed.ns/1e3, e.decode.ns/1e3,
			t.gcNs/1e3, t.allocs, e.feed.allocs, e.decode.allocs),
		target: "-", value: e.feed.ns,
		why: what + " (the feed's part): the maps it looks up grow (most, client-go's store: a key per object), so more of its lookups miss the CPU's caches; its work (allocations) does not grow",
	}
}

// simReport formats the table, with a note on the rows that grow with
// the cluster.
func simReport(when time.Time, results []*simResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "eks-node-viewer simulation benchmark, %s\nmachine: %s%s\n", when.UTC().Format("2006-01-02 15:04 MST"), machine(), l3())
	fmt.Fprintf(&b, "in process: the model fed through cluster.Feed (the informers' transforms, a client-go store, their handler), usage on, static prices; "+
		"%d pods a node, a NodeClaim for one node in %d, %d NodePools, a Karpenter event per 10 nodes; the screen is ui.Model at %dx%d\n",
		simPodsPerNode, claimEvery, len(nodePools), simWidth, simHeight)
	fmt.Fprintf(&b, "times are %s, medians (wall times of the frames in the notes below); GC: the collector's work, charged per\n"+
		"allocated byte at the size's heap (a full collection's CPU over GOGC%% of the live heap: events run with the collector off, so\n"+
		"that a big heap's rare collections count as much as a small one's frequent ones; a frame's GC is CPU beside the screen, not latency)\n", cpuClock)
	var smallest *simResult
	for _, r := range results {
		if r.heapAll.inuse > 0 && (smallest == nil || r.size.nodes < smallest.size.nodes) {
			smallest = r
		}
	}
	vs := "ratio"
	if smallest != nil {
		vs = fmt.Sprintf("vs %s nodes", thousands(smallest.size.nodes))
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nsize\tmetric\tours\t%s\ttarget\tresult\n", vs)
	type growth struct {
		ratio, nodes float64
		why          string
	}
	var grows []growth
	var largest *simResult
	for _, r := range results {
		label := fmt.Sprintf("%s nodes / %s pods", thousands(r.size.nodes), thousands(r.size.pods))
		var base map[string]simRow
		if smallest != nil {
			base = map[string]simRow{}
			for _, x := range smallest.rows(smallest) {
				base[x.metric] = x
			}
		}
		for _, x := range r.rows(smallest) {
			ratio := "-"
			if b, ok := base[x.metric]; ok && r != smallest && b.value > 0 {
				ratio = fmt.Sprintf("%.2fx", x.value/b.value)
			}
			if x.ratio != "" {
				ratio = x.ratio
			}
			result := "-"
			if x.judged {
				result = verdict(x.ok)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", label, x.metric, x.shown, ratio, x.target, result)
		}
		if r.err != nil {
			fmt.Fprintf(tw, "%s\tstopped early (error below)\t\t\t\tmissed\n", label)
		}
		if r.heapAll.inuse > 0 && (largest == nil || r.size.nodes > largest.size.nodes) {
			largest = r
		}
	}
	tw.Flush()
	if smallest != nil && largest != nil && largest != smallest {
		base := map[string]simRow{}
		for _, x := range smallest.rows(smallest) {
			base[x.metric] = x
		}
		nodes := float64(largest.size.nodes) / float64(smallest.size.nodes)
		for _, x := range largest.rows(smallest) {
			if b, ok := base[x.metric]; ok && b.value > 0 && x.value/b.value > 1.5 {
				grows = append(grows, growth{x.value / b.value, nodes, x.why})
			}
		}
		if len(grows) == 0 {
			fmt.Fprintf(&b, "\nnothing grows more than 1.5x from %s to %s nodes.\n", thousands(smallest.size.nodes), thousands(largest.size.nodes))
		} else {
			fmt.Fprintf(&b, "\ngrows with the cluster (%s to %s nodes is %.0fx):\n", thousands(smallest.size.nodes), thousands(largest.size.nodes), nodes)
			for _, g := range grows {
				fmt.Fprintf(&b, "  %.1fx  %s\n", g.ratio, g.why)
			}
		}
	}
	for _, r := range results {
		fmt.Fprintf(&b, "\n%s: fed in %s (and %s sorted by cpu-used); heap held %s after the feed, %s with the screen; a full collection %s (%.2f ns per allocated byte)",
			r.size, r.loadA.Round(time.Millisecond), r.loadB.Round(time.Millisecond), mb(r.heapModel.inuse), mb(r.heapAll.inuse), ms2(r.gcFull), r.gcPerByte)
		if len(r.frames) > 0 {
			fmt.Fprintf(&b, "; frames %s (wall %s)", frameList(r.frames, frameTimes.total), frameList(r.frames, func(f frameTimes) time.Duration { return f.wall }))
		}
		if r.err != nil {
			fmt.Fprintf(&b, "\n  error: %v", oneLine(r.err))
		}
	}
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		if m, err := parseStatus(string(st)); err == nil {
			fmt.Fprintf(&b, "\nthe run's peak RSS: %s", mb(m.hwm))
		}
	}
	b.WriteString("\n")
	return b.String()
}

func frameList(fs []frameTimes, of func(frameTimes) time.Duration) string {
	var s []string
	for _, f := range fs {
		s = append(s, fmt.Sprintf("%.1f", float64(of(f))/float64(time.Millisecond)))
	}
	return strings.Join(s, ",") + " ms"
}

// l3 is the CPU's last-level cache, which decides how much of a model its
// events find cached ("" unknown).
func l3() string {
	b, err := os.ReadFile("/sys/devices/system/cpu/cpu0/cache/index3/size")
	if err != nil {
		return ""
	}
	return ", L3 " + strings.TrimSpace(string(b))
}

// thousands writes n with thousands separators: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
