package demo

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzParse: any script parses or fails with a "demo script:" error, never
// panics; a parsed script has loop steps, each with exactly one change (or
// only a narration) of a known kind, and playing it once through the
// in-memory cluster either works or returns an error.
func FuzzParse(f *testing.F) {
	f.Add(LabScript)
	for _, s := range []string{
		"loop:\n- say: hi\n",
		"loop:\n- wait: 1s\n  delete: {kind: Pod, namespace: x, name: p$i}\n  repeat: 3\n",
		"loop:\n- add: {kind: Node, metadata: {name: n$i}}\n  repeat: 2\n  from: 5\n- patch: {kind: Node, name: n5, merge: {spec: {unschedulable: true}}}\n",
		"loop:\n- add: {kind: NodeClaim, apiVersion: karpenter.sh/v1, metadata: {name: c}}\n- update: {kind: NodeClaim, apiVersion: karpenter.sh/v1, metadata: {name: c}, status: {nodeName: \"\\e]0;x\\a\"}}\n",
		"loop:\n- add: {kind: Secret}\n",
		"loop: []\n",
		"setup:\n- {}\nloop:\n- say: x\n",
		"loop:\n- wait: 1\n  say: x\n",
		"loop:\n- wait: -1s\n  say: x\n  repeat: -3\n",
		"a: &a [*a]\n",
		"loop:\n- add: &x {kind: Pod, metadata: {name: p}}\n  update: *x\n",
		"loop:\n- add: {kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, resources: {requests: {cpu: 10P}}}]}}\n",
		"\x00\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "demo script: ") {
				t.Fatalf("error %q does not say it is the script's", err)
			}
			return
		}
		if len(s.Loop) == 0 {
			t.Fatal("a script without loop steps parsed")
		}
		steps := 0
		for _, st := range append(append([]Step{}, s.Setup...), s.Loop...) {
			n := 0
			for _, set := range []bool{st.Add != nil, st.Update != nil, st.Patch != nil, st.Delete != nil} {
				if set {
					n++
				}
			}
			if n > 1 || n == 0 && st.Say == "" {
				t.Fatalf("step %+v has %d changes", st, n)
			}
			steps += max(st.Repeat, 1)
		}
		if steps > 1000 {
			return // valid, but too long to play here
		}
		// Waits shrink to at most ~10ms each.
		c := New(s, 1e12, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.play(ctx, s.Setup)
		_ = c.play(ctx, s.Loop)
	})
}
