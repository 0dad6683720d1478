//go:build e2e

package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestRecordReplayOfTheLabScaling records the lab's scale-up and scale-down
// on the real Karpenter cluster with the real binary (--record), noting the
// screens of the steady moments (one node, two nodes, one node again); then
// replays the file (--replay: no cluster), pauses, seeks with → into each
// of those moments and finds the same summary and node lines there.
func TestRecordReplayOfTheLabScaling(t *testing.T) {
	c := startCluster(t, harness.SizeKarpenter)
	if err := c.CreateLab(t.Context()); err != nil {
		t.Fatalf("create the lab: %v", err)
	}
	lab := newLabWatch(t, c)
	file := filepath.Join(t.TempDir(), "lab.rec")
	m := startViewer(t, "--kubeconfig", c.Kubeconfig, "--node-selector", harness.LabSelector, "--record", file)

	var moments []moment
	moments = append(moments, steady(t, m, "one node, one pod", 4*time.Minute, func(s string) error {
		if err := synced(s); err != nil {
			return err
		}
		if err := summary(s, 1, "$0.038/hour"); err != nil {
			return err
		}
		return podLine(s, 1, 0, 1, 1)
	}))
	scale(t, c, 9)
	claim := lab.waitNewClaim(2 * time.Minute)
	node := lab.claimNode(claim, 2*time.Minute)
	moments = append(moments, steady(t, m, "two nodes, nine pods", 4*time.Minute, func(s string) error {
		l, ok := nodeLine(s, node)
		if !ok {
			return fmt.Errorf("no %s row", node)
		}
		if strings.Contains(l, "NotReady") || !strings.Contains(l, " Ready") {
			return fmt.Errorf("%s not Ready yet: %q", node, l)
		}
		if err := summary(s, 2, "$0.075/hour"); err != nil {
			return err
		}
		return podLine(s, 9, 0, 9, 9)
	}))
	scale(t, c, 1)
	moments = append(moments, steady(t, m, "one node again", 6*time.Minute, func(s string) error {
		if _, l, ok := karpenterRow(s); ok {
			return fmt.Errorf("karpenter node still shown: %q", l)
		}
		if err := summary(s, 1, "$0.038/hour"); err != nil {
			return err
		}
		return podLine(s, 1, 0, 1, 1)
	}))
	m.keys("q")
	m.waitFor("the viewer ended", time.Minute, func(s string) error {
		if !strings.Contains(s, exitMarker+" 0]") {
			return fmt.Errorf("not ended with 0")
		}
		return nil
	})

	rec, err := cluster.OpenRecording(file)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Truncated {
		t.Fatalf("the recording of a viewer that quit has no end record")
	}
	started := time.UnixMilli(rec.Header.Started)
	t.Logf("recording: %d records from %s", rec.Records(), started.Format(time.TimeOnly))

	// The replay needs no cluster: stop it first.
	c.Stop()
	t.Run("replay", func(t *testing.T) { replayMoments(t, file, started, moments) })
}

// replayMoments replays file, pauses, and seeks into each moment in turn.
func replayMoments(t *testing.T, file string, started time.Time, moments []moment) {
	r := startViewer(t, "--replay", file)
	r.keys("Space")
	at := r.position(t, "paused", "‖")
	for i, mo := range moments {
		// Land inside the moment, a second from either end (the time line
		// shows whole seconds).
		from, to := mo.from.Sub(started)+time.Second, mo.to.Sub(started)-time.Second
		steps := 0
		for at+time.Duration(steps)*seekStepE2E < from {
			steps++
		}
		if at+time.Duration(steps)*seekStepE2E > to {
			t.Fatalf("moment %d (%s): %s..%s cannot be reached from %s in 10 s steps", i, mo.what, from, to, at)
		}
		for range steps {
			r.keys("Right")
		}
		want := at + time.Duration(steps)*seekStepE2E
		at = r.position(t, mo.what, "‖")
		if d := at - want; d < -time.Second || d > time.Second {
			t.Fatalf("%s: at %s after %d seeks, want %s", mo.what, at, steps, want)
		}
		r.waitFor(fmt.Sprintf("the replay's %q", mo.what), time.Minute, func(s string) error {
			if got := shownState(s); got != mo.state {
				return fmt.Errorf("replayed:\n%s\nlive:\n%s", got, mo.state)
			}
			return nil
		})
		t.Logf("replay at %s shows %q as it was live", at, mo.what)
	}
	// Play on to the end: the last screen is the last live one.
	r.keys("Space")
	r.waitFor("the end of the replay", 10*time.Minute, func(s string) error {
		if !strings.Contains(s, "■ ") {
			return fmt.Errorf("not at the end yet")
		}
		if got, want := shownState(s), moments[len(moments)-1].state; got != want {
			return fmt.Errorf("replayed:\n%s\nlive:\n%s", got, want)
		}
		return nil
	})
}

// seekStepE2E is what → moves a replay.
const seekStepE2E = 10 * time.Second

// moment is a steady screen of the live session: the same shownState from
// from to to.
type moment struct {
	what     string
	from, to time.Time
	state    string
}

// steadyFor is how long a screen must stay the same to be a moment: more
// than a seek step and a second either side.
const steadyFor = 14 * time.Second

// steady waits until check accepts the screen and its shownState then stays
// the same for steadyFor.
func steady(t *testing.T, m *term, what string, timeout time.Duration, check func(string) error) moment {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := m.waitFor(what, time.Until(deadline), check)
		mo := moment{what: what, from: time.Now(), state: shownState(s)}
		for {
			time.Sleep(500 * time.Millisecond)
			s := m.capture()
			if shownState(s) != mo.state || check(s) != nil {
				break
			}
			if mo.to = time.Now(); mo.to.Sub(mo.from) >= steadyFor {
				t.Logf("live %q, steady from %s to %s:\n%s", what, mo.from.Format(time.TimeOnly), mo.to.Format(time.TimeOnly), mo.state)
				return mo
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never steady for %s", what, steadyFor)
		}
	}
}

// shownState is what a replay must show as the live session did: the
// summary, the pod line and the node rows (not the event lines, whose ages
// move, the cursor, or the footer).
func shownState(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	for i, l := range lines {
		r := rowText(l)
		f := strings.Fields(r)
		if i < 2 || len(f) >= 2 && f[1] == "cpu" {
			out = append(out, r)
		}
	}
	return strings.Join(out, "\n")
}

var timeLineRe = regexp.MustCompile(`(▶|‖|■) (\d+):(\d\d) / (\d+):(\d\d) `)

// position reads the replay's time line once it shows mark.
func (m *term) position(t *testing.T, what, mark string) time.Duration {
	t.Helper()
	var at time.Duration
	m.waitFor("the time line "+mark+" ("+what+")", time.Minute, func(s string) error {
		g := timeLineRe.FindStringSubmatch(s)
		if g == nil {
			return fmt.Errorf("no time line")
		}
		if g[1] != mark {
			return fmt.Errorf("time line %q, want %s", g[0], mark)
		}
		mm, _ := strconv.Atoi(g[2])
		ss, _ := strconv.Atoi(g[3])
		at = time.Duration(mm)*time.Minute + time.Duration(ss)*time.Second
		return nil
	})
	return at
}
