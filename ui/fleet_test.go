package ui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// fleetCluster is one member of a test fleet and the snapshot it shows.
type fleetCluster struct {
	context, server string
	snap            cluster.Snapshot
}

// testFleet is a fleet of fake sources at testNow, each member holding its
// snapshot, on a width x height terminal.
func testFleet(t *testing.T, opts Options, width, height int, clusters ...fleetCluster) (fleet, []*fakeSource) {
	t.Helper()
	opts.Clock = func() time.Time { return testNow }
	srcs := make([]*fakeSource, len(clusters))
	members := make([]Member, len(clusters))
	for i, c := range clusters {
		srcs[i] = newFakeSource(c.snap)
		members[i] = Member{Context: c.context, Server: c.server, Source: srcs[i]}
	}
	f, ok := NewFleet(members, opts).(fleet)
	if !ok {
		t.Fatalf("NewFleet returned %T", NewFleet(members, opts))
	}
	f, _ = updateFleet(t, f, tea.WindowSizeMsg{Width: width, Height: height})
	for i, c := range clusters {
		f, _ = updateFleet(t, f, memberMsg{i: i, msg: snapshotMsg{snap: c.snap}})
	}
	return f, srcs
}

func updateFleet(t *testing.T, f fleet, msg tea.Msg) (fleet, tea.Cmd) {
	t.Helper()
	next, cmd := f.Update(msg)
	nf, ok := next.(fleet)
	if !ok {
		t.Fatalf("Update returned %T", next)
	}
	return nf, cmd
}

// pressAll delivers keys, and the navigation their commands ask for (the
// member's open, back and leave, its one-off reads), as the program would.
func pressAll(t *testing.T, f fleet, keys ...tea.KeyPressMsg) fleet {
	t.Helper()
	for _, k := range keys {
		queue := []tea.Msg{k}
		for len(queue) > 0 {
			var cmd tea.Cmd
			f, cmd = updateFleet(t, f, queue[0])
			queue = append(queue[1:], fleetFollowUps(cmd)...)
		}
	}
	return f
}

// fleetFollowUps are the messages of cmd that pressAll delivers: the
// members' navigation and one-off snapshot reads, still addressed.
func fleetFollowUps(cmd tea.Cmd) []tea.Msg {
	return followUpsKept(cmd, func(msg tea.Msg) bool {
		m, ok := msg.(memberMsg)
		return ok && isFollowUp(m.msg)
	})
}

var (
	keyEsc      = press(tea.KeyEscape, "", 0)
	keyEnter    = press(tea.KeyEnter, "", 0)
	keyTab      = press(tea.KeyTab, "", 0)
	keyShiftTab = press(tea.KeyTab, "", tea.ModShift)
	keySpace    = press(tea.KeySpace, " ", 0)
	keyDown     = press(tea.KeyDown, "", 0)
)

// staleSnapshot is a cluster whose API server stopped answering 12s ago.
func staleSnapshot() cluster.Snapshot {
	s := bigSnapshot(40)
	s.Stale = &cluster.Stale{Since: testNow.Add(-12 * time.Second), Reason: "API server unreachable (connection refused)", Resources: []string{"nodes", "pods"}}
	return s
}

// connectingSnapshot is a cluster that has listed nothing yet.
func connectingSnapshot() cluster.Snapshot {
	return cluster.Snapshot{Taken: testNow, Resources: []string{"cpu"}, Syncing: []cluster.SyncProgress{{Resource: "nodes"}, {Resource: "pods"}}}
}

// theFleet is the golden fleet: one cluster ok, one stale, one with a
// price unknown (its total a lower bound), one still connecting.
func theFleet() []fleetCluster {
	return []fleetCluster{
		{"kind-lab", "https://127.0.0.1:6443", labSnapshot()},
		{"prod-eu", "https://prod-eu.example.com", staleSnapshot()},
		{"dev", "https://127.0.0.1:6444", pricesSnapshot()},
		{"staging", "https://staging.example.com:443", connectingSnapshot()},
	}
}

// manyClusters are n lab clusters (for paging).
func manyClusters(n int) []fleetCluster {
	out := make([]fleetCluster, n)
	for i := range out {
		out[i] = fleetCluster{fmt.Sprintf("lab-%d", i), fmt.Sprintf("https://10.0.0.%d:6443", i), labSnapshot()}
	}
	return out
}

func TestFleetGolden(t *testing.T) {
	cases := []struct {
		name     string
		clusters []fleetCluster
		keys     []tea.KeyPressMsg
		opts     Options
	}{
		{name: "fleet", clusters: theFleet()},
		{name: "cursor_collapsed", clusters: theFleet(), keys: []tea.KeyPressMsg{keyDown, keySpace, keyDown}},
		{name: "paged", clusters: manyClusters(9), keys: []tea.KeyPressMsg{press(tea.KeyEnd, "", 0)}},
		{name: "full_help", clusters: theFleet(), keys: []tea.KeyPressMsg{typed('?')}, opts: Options{Version: "v1.0.0"}},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {160, 45}} {
			for _, colour := range []bool{false, true} {
				form := "plain"
				if colour {
					form = "colour"
				}
				t.Run(fmt.Sprintf("%s/%dx%d/%s", tc.name, size[0], size[1], form), func(t *testing.T) {
					opts := tc.opts
					opts.NoColor = !colour
					f, _ := testFleet(t, opts, size[0], size[1], tc.clusters...)
					f = pressAll(t, f, tc.keys...)
					out := f.View().Content
					checkFits(t, out, size[0], size[1])
					if !colour && strings.Contains(out, "\x1b") {
						t.Errorf("plain output contains escape sequences")
					}
					golden.RequireEqual(t, out)
				})
			}
		}
	}
}

// A member's node list is the single-cluster screen under a title line
// with its context.
func TestFleetMemberGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 45}} {
		for _, colour := range []bool{false, true} {
			form := "plain"
			if colour {
				form = "colour"
			}
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], form), func(t *testing.T) {
				f, _ := testFleet(t, Options{NoColor: !colour}, size[0], size[1], theFleet()...)
				f = pressAll(t, f, keyDown, keyEnter)
				out := f.View().Content
				checkFits(t, out, size[0], size[1])
				plain := ansi.Strip(out)
				first := strings.Split(plain, "\n")[0]
				if first != "prod-eu  https://prod-eu.example.com  (cluster 2 of 4, tab next)" {
					t.Errorf("title line %q", first)
				}
				if !strings.Contains(plain, "\nesc fleet • ") {
					t.Errorf("the footer does not offer the way back:\n%s", out)
				}
				golden.RequireEqual(t, out)
			})
		}
	}
}

func TestFleetLine(t *testing.T) {
	lab := labSnapshot()
	cases := []struct {
		name  string
		snaps []cluster.Snapshot
		width int
		want  string
	}{
		{"two ok", []cluster.Snapshot{lab, lab}, 200,
			"2 clusters (2 ok, 0 stale) · 4 nodes · cpu 3600m/7120m 50.6% · $0.168/hour | $122.961/month"},
		{"stale is a lower bound", []cluster.Snapshot{lab, staleSnapshot()}, 200,
			"2 clusters (1 ok, 1 stale) · 42 nodes · cpu 75.9/160.36 cores 47.3% · memory 25.5Gi/560.0Gi 4.6% · >=$3.156/hour | >=$2,304.041/month"},
		{"unknown prices", []cluster.Snapshot{lab, pricesSnapshot()}, 200,
			"2 clusters (2 ok, 0 stale) · 5 nodes · cpu 4650m/9350m 49.7% · >=$1,181.076/hour | >=$862,185.641/month"},
		{"connecting", []cluster.Snapshot{lab, connectingSnapshot(), {}}, 200,
			"3 clusters (1 ok, 0 stale, 2 connecting) · 2 nodes · cpu 1800m/3560m 50.6% · >=$0.084/hour | >=$61.481/month"},
		{"nothing priced yet", []cluster.Snapshot{connectingSnapshot()}, 200,
			"1 cluster (0 ok, 0 stale, 1 connecting) · 0 nodes · cpu 0m/0m 0.0% · $?/hour | $?/month"},
		{"pricing off", []cluster.Snapshot{disabledCost(lab), disabledCost(lab)}, 200,
			"2 clusters (2 ok, 0 stale) · 4 nodes · cpu 3600m/7120m 50.6%"},
		{"currencies apart", []cluster.Snapshot{lab, cnyLab()}, 200,
			"2 clusters (2 ok, 0 stale) · 4 nodes · cpu 3600m/7120m 50.6% · $0.084 + ¥0.609/hour | $61.481 + ¥444.862/month"},
		{"80: no monthly", []cluster.Snapshot{lab, lab, lab}, 80,
			"3 clusters (3 ok, 0 stale) · 6 nodes · cpu 5.4/10.68 cores 50.6% · $0.253/hour"},
		{"62: no pairs", []cluster.Snapshot{lab, lab, lab}, 62,
			"3 clusters (3 ok, 0 stale) · 6 nodes · cpu 50.6% · $0.253/hour"},
		{"61: no resources", []cluster.Snapshot{lab, lab, lab}, 61,
			"3 clusters (3 ok, 0 stale) · 6 nodes · $0.253/hour"},
		{"30: cut", []cluster.Snapshot{lab, lab, lab}, 30,
			"3 clusters (3 ok, 0 stale) · …"},
	}
	st := newStyles([3]string{}, false)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snaps := make([]*cluster.Snapshot, len(tc.snaps))
			for i := range tc.snaps {
				snaps[i] = &tc.snaps[i]
			}
			if got := fleetLine(sumFleet(snaps), tc.width, st); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func disabledCost(s cluster.Snapshot) cluster.Snapshot {
	s.Cost = cluster.Cost{Disabled: true}
	return s
}

func cnyLab() cluster.Snapshot {
	s := labSnapshot()
	s.Cost = cluster.Cost{Hourly: 0.6094, Currency: "CNY"}
	return s
}

func TestFleetTitleStates(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 200, 40, theFleet()...)
	out := f.frame()
	for _, want := range []string{
		"> ▾ kind-lab  https://127.0.0.1:6443  ok",
		"  ▾ prod-eu  https://prod-eu.example.com  stale 12s · API server unreachable (connection refused), retrying",
		"  ▾ dev  https://127.0.0.1:6444  ok",
		"  ▾ staging  https://staging.example.com:443  connecting",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
	syncing := connectingSnapshot()
	syncing.Syncing[1].Objects = 37000
	f, _ = updateFleet(t, f, memberMsg{i: 3, msg: snapshotMsg{snap: syncing}})
	if out := f.frame(); !strings.Contains(out, "staging  https://staging.example.com:443  syncing\n") {
		t.Errorf("a cluster listing its pods is not syncing:\n%s", out)
	}
}

// A block shows its cluster's summary exactly as its node list does.
func TestFleetBlockIsTheSummary(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 160, 45, theFleet()...)
	out := f.frame()
	for i := range f.members {
		m := f.members[i].model
		c := m.common()
		want := summaryLines(&m.snap, 160, c.styles)
		want = append(want, podSummary(&m.snap, 160, c.styles))
		if !strings.Contains(out, strings.Join(want, "\n")) {
			t.Errorf("member %d's summary %q is not in\n%s", i, want, out)
		}
	}
}

// A message from member 1 reaches member 1 only, and member 1's commands
// come back addressed to it.
func TestFleetRoutesToTheMemberItCameFrom(t *testing.T) {
	defer func(d time.Duration) { settleDelay = d }(settleDelay)
	settleDelay = 0
	f, srcs := testFleet(t, Options{NoColor: true}, 120, 30, theFleet()...)
	before := f.members[0].model.snap
	next := bigSnapshot(7)
	f, cmd := updateFleet(t, f, memberMsg{i: 1, msg: snapshotMsg{snap: next, rearm: true}})
	if got := len(f.members[1].model.snap.Nodes); got != 7 {
		t.Fatalf("member 1 has %d nodes, want 7", got)
	}
	if !reflect.DeepEqual(f.members[0].model.snap, before) {
		t.Errorf("member 1's snapshot reached member 0")
	}
	// The re-armed wait is member 1's: it waits on source 1 and comes back
	// to member 1.
	srcs[1].snap = bigSnapshot(9)
	srcs[1].changed <- struct{}{}
	msg := cmd()
	mm, ok := msg.(memberMsg)
	if !ok || mm.i != 1 {
		t.Fatalf("the wait returned %#v, want a message for member 1", msg)
	}
	if s, ok := mm.msg.(snapshotMsg); !ok || len(s.snap.Nodes) != 9 || !s.rearm {
		t.Fatalf("member 1's wait returned %#v", mm.msg)
	}
	if len(srcs[0].changed) != 0 || srcs[0].lastQuery() != (cluster.Query{}) {
		t.Errorf("member 1's wait touched source 0")
	}
	f, _ = updateFleet(t, f, mm)
	if len(f.members[1].model.snap.Nodes) != 9 || len(f.members[0].model.snap.Nodes) != len(before.Nodes) {
		t.Errorf("after the wait: members have %d and %d nodes", len(f.members[0].model.snap.Nodes), len(f.members[1].model.snap.Nodes))
	}
	// A message for a member that does not exist is dropped.
	if _, cmd := updateFleet(t, f, memberMsg{i: 9, msg: snapshotMsg{}}); cmd != nil {
		t.Errorf("a message for member 9 returned a command")
	}
}

func TestAddressed(t *testing.T) {
	snap := func() tea.Msg { return snapshotMsg{snap: labSnapshot()} }
	if msg := forMember(2, snap)(); !reflect.DeepEqual(msg, memberMsg{i: 2, msg: snapshotMsg{snap: labSnapshot()}}) {
		t.Errorf("a snapshot for member 2: %#v", msg)
	}
	if forMember(0, nil) != nil {
		t.Errorf("no command: a command")
	}
	if msg := forMember(0, func() tea.Msg { return nil })(); msg != nil {
		t.Errorf("no message: %#v", msg)
	}
	// Bubble Tea's own messages are the program's.
	for _, cmd := range []tea.Cmd{tea.Quit, tea.Suspend, tea.Interrupt, tea.ClearScreen} {
		want := cmd()
		if got := forMember(1, cmd)(); !reflect.DeepEqual(got, want) {
			t.Errorf("%T came back as %#v", want, got)
		}
	}
	// A batch and a sequence keep their kind, each command addressed.
	back := func() tea.Msg { return backMsg{} }
	for _, cmd := range []tea.Cmd{tea.Batch(snap, back), tea.Sequence(snap, back)} {
		want := cmd()
		got := forMember(1, cmd)()
		if reflect.TypeOf(got) != reflect.TypeOf(want) {
			t.Fatalf("%T came back as %T", want, got)
		}
		v := reflect.ValueOf(got)
		if v.Len() != 2 {
			t.Fatalf("%d commands", v.Len())
		}
		for j := range v.Len() {
			msg := v.Index(j).Interface().(tea.Cmd)()
			if mm, ok := msg.(memberMsg); !ok || mm.i != 1 {
				t.Errorf("%T command %d: %#v", want, j, msg)
			}
		}
	}
	// Nested: the member's Init (a batch) inside the fleet's.
	inner := forMember(1, tea.Batch(snap, tea.Batch(back, tea.Quit)))()
	nested := inner.(tea.BatchMsg)[1]()
	if _, ok := nested.(tea.BatchMsg)[1]().(tea.QuitMsg); !ok {
		t.Errorf("a nested quit did not pass through")
	}
	if mm, ok := nested.(tea.BatchMsg)[0]().(memberMsg); !ok || mm.i != 1 {
		t.Errorf("a nested back is not addressed")
	}
}

// cmdLoop runs commands as the program does, each in its own goroutine,
// batches taken apart, and hands their messages to the test.
type cmdLoop struct{ msgs chan tea.Msg }

func (l *cmdLoop) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				l.run(c)
			}
		default:
			l.msgs <- msg
		}
	}()
}

// A member whose source never changes (never even syncs) does not hold up
// the others: each has its own wait.
func TestFleetStuckMemberDoesNotBlockTheOthers(t *testing.T) {
	defer func(d time.Duration) { settleDelay = d }(settleDelay)
	settleDelay = 0
	stuck := newFakeSource(connectingSnapshot())
	live := newFakeSource(labSnapshot())
	live.synced = make(chan struct{})
	close(live.synced)
	var f tea.Model = NewFleet([]Member{
		{Context: "stuck", Source: stuck},
		{Context: "live", Source: live},
	}, Options{NoColor: true, Clock: func() time.Time { return testNow }})
	loop := &cmdLoop{msgs: make(chan tea.Msg, 64)}
	loop.run(f.Init())

	// liveNodes reads messages until member 1 shows n nodes; the stuck
	// member's wait never returns, so it only ever had its first snapshot.
	stuckSnaps := 0
	liveNodes := func(n int) {
		t.Helper()
		for {
			var msg tea.Msg
			select {
			case msg = <-loop.msgs:
			case <-time.After(time.Minute): // a hang guard, not a measure
				t.Fatalf("member 1 never showed %d nodes", n)
			}
			if mm, ok := msg.(memberMsg); ok && mm.i == 0 {
				if _, ok := mm.msg.(snapshotMsg); ok {
					if stuckSnaps++; stuckSnaps > 1 {
						t.Fatalf("a second snapshot from the stuck member: %#v", mm.msg)
					}
				}
			}
			var cmd tea.Cmd
			f, cmd = f.Update(msg)
			loop.run(cmd)
			if got := len(f.(fleet).members[1].model.snap.Nodes); got == n {
				return
			}
		}
	}
	liveNodes(2)
	for n := 3; n <= 5; n++ {
		s := bigSnapshot(n)
		live.mu.Lock()
		live.snap = s
		live.mu.Unlock()
		live.changed <- struct{}{}
		liveNodes(n)
	}
	if got := f.(fleet).members[0].model.snap; got.Synced || len(got.Nodes) != 0 {
		t.Errorf("the stuck member changed: %+v", got)
	}
}

func TestFleetWindowSizeReachesEveryMember(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 91, 33, theFleet()...)
	for i, mb := range f.members {
		if mb.model.width != 91 || mb.model.height != 33 {
			t.Errorf("member %d is %dx%d", i, mb.model.width, mb.model.height)
		}
	}
}

func TestFleetCursorAndTab(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 120, 40, theFleet()...)
	steps := []struct {
		key    tea.KeyPressMsg
		cursor int
	}{
		{keyTab, 1}, {keyTab, 2}, {keyTab, 3}, {keyTab, 0}, // cycles
		{keyShiftTab, 3}, {keyShiftTab, 2},
		{typed('k'), 1}, {press(tea.KeyUp, "", 0), 0}, {press(tea.KeyUp, "", 0), 0}, // stops at the top
		{typed('j'), 1}, {keyDown, 2}, {keyDown, 3}, {keyDown, 3},
		{press(tea.KeyHome, "", 0), 0}, {press(tea.KeyEnd, "", 0), 3},
	}
	for i, s := range steps {
		f = pressAll(t, f, s.key)
		if f.cursor != s.cursor || f.open != -1 {
			t.Errorf("step %d (%s): cursor %d open %d, want cursor %d in the fleet view", i, s.key, f.cursor, f.open, s.cursor)
		}
	}
}

// Inside a cluster, tab and shift+tab switch to the next or previous
// cluster's views, each keeping its place; not while a filter is typed.
func TestFleetTabInsideAMember(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 120, 40, theFleet()...)
	f = pressAll(t, f, keyEnter)
	if f.open != 0 {
		t.Fatalf("enter opened %d", f.open)
	}
	f = pressAll(t, f, keyDown) // member 0's cursor on its second node
	f = pressAll(t, f, keyTab)
	if f.open != 1 || f.cursor != 1 {
		t.Fatalf("tab: open %d cursor %d, want 1", f.open, f.cursor)
	}
	if !strings.HasPrefix(f.View().Content, "prod-eu  ") {
		t.Errorf("tab did not show prod-eu's views:\n%s", f.View().Content)
	}
	f = pressAll(t, f, keyShiftTab, keyShiftTab)
	if f.open != 3 {
		t.Fatalf("shift+tab twice from 1: open %d, want 3", f.open)
	}
	f = pressAll(t, f, keyTab)
	if f.open != 0 || f.members[0].model.list().cursor != 1 {
		t.Errorf("back at member 0: open %d, its cursor %d, want 0 and 1", f.open, f.members[0].model.list().cursor)
	}
	if f.members[1].model.list().cursor != 0 {
		t.Errorf("member 0's key moved member 1's cursor")
	}
	// Typing a filter: tab is the filter's.
	f = pressAll(t, f, typed('/'), keyTab)
	if f.open != 0 || !f.members[0].model.top().typing() {
		t.Errorf("tab while typing a filter switched to %d", f.open)
	}
}

// esc at a member's node list comes back to the fleet view, on that
// cluster; esc in a view above it goes back to the node list first.
func TestFleetEscReturnsToTheFleet(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 120, 40, theFleet()...)
	f = pressAll(t, f, keyDown, keyEnter)
	if f.open != 1 {
		t.Fatalf("enter on the second cluster opened %d", f.open)
	}
	f = pressAll(t, f, typed('p')) // the pending pods
	if _, ok := f.members[1].model.top().(*pendingView); !ok {
		t.Fatalf("p did not open the pending view: %T", f.members[1].model.top())
	}
	f = pressAll(t, f, keyEsc)
	if f.open != 1 || len(f.members[1].model.stack) != 1 {
		t.Fatalf("esc in the pending view: open %d, stack %d", f.open, len(f.members[1].model.stack))
	}
	f = pressAll(t, f, keyEsc)
	if f.open != -1 || f.cursor != 1 {
		t.Fatalf("esc at the node list: open %d cursor %d, want the fleet view on 1", f.open, f.cursor)
	}
	if !strings.HasPrefix(f.View().Content, "4 clusters (") {
		t.Errorf("not the fleet view:\n%s", f.View().Content)
	}
	// A single-cluster model does nothing on esc at its node list.
	m := sized(t, labSnapshot())
	if _, cmd := update(t, m, backMsg{}); cmd != nil {
		t.Errorf("esc at a single cluster's node list returned a command")
	}
}

// A leave from a member that is not open (a late message) changes nothing.
func TestFleetLateLeaveIsIgnored(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 120, 40, theFleet()...)
	f = pressAll(t, f, keyEnter)
	f, _ = updateFleet(t, f, memberMsg{i: 2, msg: leaveMsg{}})
	if f.open != 0 {
		t.Errorf("member 2's leave closed member 0: open %d", f.open)
	}
}

func TestFleetSpaceCollapses(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 160, 45, theFleet()...)
	summary := "2 nodes (     1800m/3560m) 50.6% cpu"
	if !strings.Contains(f.frame(), summary) {
		t.Fatalf("no summary:\n%s", f.frame())
	}
	f = pressAll(t, f, keySpace)
	out := f.frame()
	if !f.members[0].collapsed || strings.Contains(out, summary) || !strings.Contains(out, "> ▸ kind-lab  ") {
		t.Errorf("space did not collapse the first block:\n%s", out)
	}
	if !strings.Contains(out, "space expand") {
		t.Errorf("the footer does not offer to expand:\n%s", out)
	}
	if f.members[1].collapsed || !strings.Contains(out, "  ▾ prod-eu  ") {
		t.Errorf("space collapsed another block:\n%s", out)
	}
	f = pressAll(t, f, keySpace)
	if f.members[0].collapsed || !strings.Contains(f.frame(), summary) {
		t.Errorf("space again did not expand:\n%s", f.frame())
	}
}

// Keys go to the open member only.
func TestFleetKeysGoToTheOpenMember(t *testing.T) {
	clusters := []fleetCluster{{"a", "", bigSnapshot(10)}, {"b", "", bigSnapshot(10)}}
	f, _ := testFleet(t, Options{NoColor: true}, 120, 40, clusters...)
	f = pressAll(t, f, keyDown) // the fleet's cursor, nobody's list
	if f.cursor != 1 || f.members[0].model.list().cursor != 0 || f.members[1].model.list().cursor != 0 {
		t.Fatalf("down in the fleet view moved a list")
	}
	f = pressAll(t, f, keyEnter, keyDown, keyDown, keyEnter)
	if f.members[1].model.list().cursor != 2 || f.members[0].model.list().cursor != 0 {
		t.Errorf("lists' cursors %d and %d, want 0 and 2", f.members[0].model.list().cursor, f.members[1].model.list().cursor)
	}
	if _, ok := f.members[1].model.top().(*nodeView); !ok {
		t.Errorf("enter on a node did not open it in member 1: %T", f.members[1].model.top())
	}
	if len(f.members[0].model.stack) != 1 {
		t.Errorf("member 0 opened a view")
	}
}

func TestFleetQuit(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 120, 40, theFleet()...)
	for _, k := range []tea.KeyPressMsg{typed('q'), press('c', "", tea.ModCtrl)} {
		if _, cmd := updateFleet(t, f, k); cmd == nil {
			t.Errorf("%s: no command", k)
		} else if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s did not quit", k)
		}
	}
	// q inside a member quits the program too (it passes through).
	f = pressAll(t, f, keyEnter)
	_, cmd := updateFleet(t, f, typed('q'))
	if cmd == nil {
		t.Fatalf("q in a member: no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("q in a member did not quit")
	}
}

func TestFleetPaging(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 80, 24, manyClusters(9)...)
	// 24 lines - footer - fleet line - blank - dots = 20: blocks of 3 lines
	// and a blank between them: 5 a page.
	l := f.arrange()
	if want := []int{0, 5}; !reflect.DeepEqual(l.starts, want) {
		t.Fatalf("pages start at %v, want %v", l.starts, want)
	}
	out := f.frame()
	if !strings.Contains(out, "lab-4  ") || strings.Contains(out, "lab-5  ") {
		t.Errorf("page 1 is not lab-0..lab-4:\n%s", out)
	}
	f = pressAll(t, f, press(tea.KeyPgDown, "", 0))
	if f.cursor != 5 || !strings.Contains(f.frame(), "> ▾ lab-5  ") || strings.Contains(f.frame(), "lab-4  ") {
		t.Errorf("pgdown: cursor %d\n%s", f.cursor, f.frame())
	}
	f = pressAll(t, f, press(tea.KeyPgDown, "", 0))
	if f.cursor != 8 {
		t.Errorf("pgdown on the last page: cursor %d, want the last", f.cursor)
	}
	f = pressAll(t, f, press(tea.KeyPgUp, "", 0))
	if f.cursor != 0 {
		t.Errorf("pgup: cursor %d", f.cursor)
	}
	// Collapsed blocks take one line: all fit on one page.
	for range 9 {
		f = pressAll(t, f, keySpace, keyDown)
	}
	if l := f.arrange(); len(l.starts) != 1 {
		t.Errorf("collapsed: %d pages", len(l.starts))
	}
}

func TestFleetMouse(t *testing.T) {
	f, _ := testFleet(t, Options{NoColor: true}, 120, 40, theFleet()...)
	// Lines: 0 fleet, 1 blank, 2-4 kind-lab, 5 blank, 6-9 prod-eu.
	f, _ = updateFleet(t, f, tea.MouseClickMsg{Button: tea.MouseLeft, Y: 7})
	if f.cursor != 1 {
		t.Errorf("a click on prod-eu's block: cursor %d", f.cursor)
	}
	f, _ = updateFleet(t, f, tea.MouseClickMsg{Button: tea.MouseLeft, Y: 5})
	if f.cursor != 1 {
		t.Errorf("a click between blocks moved the cursor to %d", f.cursor)
	}
	f, _ = updateFleet(t, f, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if f.cursor != 2 {
		t.Errorf("wheel down: cursor %d", f.cursor)
	}
}

// In a member, clicks count lines below its title (and stale banner).
func TestFleetMemberClick(t *testing.T) {
	clusters := []fleetCluster{{"a", "", bigSnapshot(10)}, {"b", "", staleSnapshot()}}
	f, _ := testFleet(t, Options{NoColor: true}, 200, 40, clusters...)
	f = pressAll(t, f, keyEnter)
	// title, then 2 summary lines, pod line, blank: the third node's first
	// line is at 1+4+2*2.
	f, _ = updateFleet(t, f, tea.MouseClickMsg{Button: tea.MouseLeft, Y: 9})
	if got := f.members[0].model.list().cursor; got != 2 {
		t.Errorf("a click on the third node: cursor %d", got)
	}
	f = pressAll(t, f, keyTab) // b: title and stale banner
	f, _ = updateFleet(t, f, tea.MouseClickMsg{Button: tea.MouseLeft, Y: 10})
	if got := f.members[1].model.list().cursor; got != 2 {
		t.Errorf("a click on the third node under the banner: cursor %d", got)
	}
}

func TestFleetAnySize(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {6, 1}, {20, 3}, {40, 8}, {80, 6}, {300, 80}} {
		for _, keys := range [][]tea.KeyPressMsg{nil, {typed('?')}, {keyEnter}, {press(tea.KeyEnd, "", 0)}} {
			t.Run(fmt.Sprintf("%dx%d/%d", sz[0], sz[1], len(keys)), func(t *testing.T) {
				f, _ := testFleet(t, Options{Version: "v1"}, sz[0], sz[1], append(theFleet(), manyClusters(5)...)...)
				f = pressAll(t, f, keys...)
				w, h := sz[0], sz[1]
				if w <= 0 || h <= 0 {
					w, h = fallbackWidth, fallbackHeight
				}
				checkFits(t, f.View().Content, w, h)
			})
		}
	}
	if f, _ := testFleet(t, Options{}, 80, 24); !strings.Contains(f.frame(), "no clusters") {
		t.Errorf("an empty fleet:\n%s", f.frame())
	}
}

// Cluster text is untrusted: a context name cannot carry escapes.
func TestFleetSanitises(t *testing.T) {
	clusters := []fleetCluster{{"evil\x1b[2J\x1b]0;pwned\x07", "https://x\x1b[31m", labSnapshot()}}
	f, _ := testFleet(t, Options{NoColor: true}, 120, 30, clusters...)
	if out := f.frame(); strings.Contains(out, "\x1b") {
		t.Errorf("escape in the fleet view: %q", out)
	}
	f = pressAll(t, f, keyEnter)
	if out := f.View().Content; strings.Contains(out, "\x1b") {
		t.Errorf("escape in the member's title: %q", out)
	}
}
