package main

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// The simulation's screen: the viewer's own ui.Model on the simulated
// model, at simWidth x simHeight, driven through its public API as a
// Bubble Tea program drives it (commands run, their messages go back to
// Update), so that a frame is the work a change costs the viewer: the
// snapshot its wait for changes asks for, Update with it, View.

const simWidth, simHeight = 160, 45

// simSource is the model as the screen's Source, timing each snapshot.
// Its Changed is the simulation's own: a frame happens when the
// simulation says, not on every fed object.
type simSource struct {
	c       *cluster.Cluster
	changed chan struct{}
	took    atomic.Int64 // the last SnapshotFor's CPU time, in ns
	wall    atomic.Int64 // and its wall time
	detail  atomic.Pointer[string]
}

func (s *simSource) Changed() <-chan struct{} { return s.changed }
func (s *simSource) Synced() <-chan struct{}  { return s.c.Synced() }

func (s *simSource) SnapshotFor(q cluster.Query) cluster.Snapshot {
	t0, c0 := time.Now(), cpuNow()
	snap := s.c.SnapshotFor(q)
	s.took.Store(int64(cpuNow() - c0))
	s.wall.Store(int64(time.Since(t0)))
	name := ""
	if snap.Detail != nil {
		name = snap.Detail.Node.Name
	}
	s.detail.Store(&name)
	return snap
}

// totalAlloc is the bytes allocated so far (read outside what is timed:
// it stops the world).
func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// simScreen runs the ui model.
type simScreen struct {
	src  *simSource
	m    tea.Model
	msgs chan tea.Msg
	done chan struct{}
}

// newSimScreen starts the screen and waits for its first frame.
func newSimScreen(c *cluster.Cluster) (*simScreen, error) {
	s := &simScreen{
		src:  &simSource{c: c, changed: make(chan struct{}, 1)},
		msgs: make(chan tea.Msg, 16),
		done: make(chan struct{}),
	}
	s.m = ui.New(s.src, ui.Options{})
	s.m, _ = s.m.Update(tea.WindowSizeMsg{Width: simWidth, Height: simHeight})
	s.run(s.m.Init())
	msg, err := s.awaitSnapshot()
	if err != nil {
		return nil, err
	}
	var cmd tea.Cmd
	s.m, cmd = s.m.Update(msg)
	s.run(cmd)
	if v := s.m.View().Content; !strings.Contains(v, "nodes") {
		return nil, fmt.Errorf("the first screen shows no summary:\n%s", v)
	}
	return s, nil
}

// close ends the screen's commands (the wait for a change returns on the
// closed channel), so that nothing keeps the model alive.
func (s *simScreen) close() {
	close(s.done)
	close(s.src.changed)
}

// run runs a command in the background, as the program does, its message
// (each of a batch's) to msgs.
func (s *simScreen) run(cmd tea.Cmd) { runCmd(cmd, s.msgs, s.done) }

// runCmd is run without the screen: a command still sleeping (the age
// tick) must not keep the model of a closed screen alive.
func runCmd(cmd tea.Cmd, msgs chan<- tea.Msg, done <-chan struct{}) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				runCmd(c, msgs, done)
			}
			return
		}
		if msg == nil {
			return
		}
		select {
		case msgs <- msg:
		case <-done:
		}
	}()
}

// isSnapshot tells the model's snapshot message from the others (the slow
// age tick): ui keeps its messages' types to itself, so by the type's name.
// The sim's test fails if it ever changes.
func isSnapshot(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	return t != nil && t.PkgPath() == reflect.TypeOf(ui.Model{}).PkgPath() && t.Name() == "snapshotMsg"
}

// awaitSnapshot hands the model every message until a snapshot arrives,
// which it returns (not yet handed).
func (s *simScreen) awaitSnapshot() (tea.Msg, error) {
	timeout := time.After(time.Minute)
	for {
		select {
		case msg := <-s.msgs:
			if isSnapshot(msg) {
				return msg, nil
			}
			var cmd tea.Cmd
			s.m, cmd = s.m.Update(msg)
			s.run(cmd)
		case <-timeout:
			return nil, errors.New("no snapshot reached the screen in a minute")
		}
	}
}

// frameTimes is one frame: the snapshot, Update with it, View (CPU
// time); wall is the three's wall time, bytes what they allocated.
type frameTimes struct {
	snap, update, view, wall time.Duration
	bytes                    uint64
}

func (f frameTimes) total() time.Duration { return f.snap + f.update + f.view }

// frame signals a change and times the frame that shows it.
func (s *simScreen) frame() (frameTimes, error) {
	b0 := totalAlloc()
	s.src.changed <- struct{}{}
	msg, err := s.awaitSnapshot()
	if err != nil {
		return frameTimes{}, err
	}
	f := frameTimes{snap: time.Duration(s.src.took.Load())}
	w0, t0 := time.Now(), cpuNow()
	var cmd tea.Cmd
	s.m, cmd = s.m.Update(msg)
	t1 := cpuNow()
	v := s.m.View().Content
	f.update, f.view = t1-t0, cpuNow()-t1
	f.wall = time.Duration(s.src.wall.Load()) + time.Since(w0)
	f.bytes = totalAlloc() - b0
	s.run(cmd)
	if v == "" {
		return f, errors.New("an empty frame")
	}
	return f, nil
}

// openTimes is opening the selected node's view: enter to its frame (CPU
// time; wall beside).
type openTimes struct {
	total, snap, wall time.Duration
	bytes             uint64
	node              string
}

// openNode presses enter on the list and times it until the node's view
// is drawn with the node's detail; back presses esc to the list.
func (s *simScreen) openNode() (openTimes, error) {
	b0 := totalAlloc()
	w0, t0 := time.Now(), cpuNow()
	if err := s.keyInline(tea.KeyPressMsg{Code: tea.KeyEnter}); err != nil {
		return openTimes{}, err
	}
	v := s.m.View().Content
	o := openTimes{total: cpuNow() - t0, snap: time.Duration(s.src.took.Load()), wall: time.Since(w0)}
	o.bytes = totalAlloc() - b0
	if p := s.src.detail.Load(); p != nil {
		o.node = *p
	}
	if o.node == "" || !strings.Contains(v, o.node) {
		return o, fmt.Errorf("enter did not open a node view (detail %q):\n%s", o.node, v)
	}
	return o, nil
}

func (s *simScreen) back() error { return s.keyInline(tea.KeyPressMsg{Code: tea.KeyEscape}) }

// keyInline hands the model a key and runs what follows on this goroutine
// (opening or leaving a view: the view's message, then its one-off
// snapshot; neither waits for anything).
func (s *simScreen) keyInline(k tea.KeyPressMsg) error {
	var cmd tea.Cmd
	s.m, cmd = s.m.Update(k)
	for range 4 {
		if cmd == nil {
			return nil
		}
		msg := cmd()
		if _, ok := msg.(tea.BatchMsg); ok {
			return fmt.Errorf("%s: a batch of commands, not run inline", k)
		}
		s.m, cmd = s.m.Update(msg)
	}
	return fmt.Errorf("%s: more commands than a view's opening", k)
}
