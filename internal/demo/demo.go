// Package demo runs the viewer's whole pipeline on an in-memory cluster fed
// by a timed script of object changes (testdata/demo/lab.yaml, embedded).
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// LabScript is the embedded demo: the Karpenter lab on EKS Auto Mode.
// It is a copy of testdata/demo/lab.yaml (kept identical by a test).
//
//go:generate cp ../../testdata/demo/lab.yaml lab.yaml
//go:embed lab.yaml
var LabScript []byte

// Script is a demo: setup steps run once, then the loop steps repeat.
type Script struct {
	Setup []Step `json:"setup"`
	Loop  []Step `json:"loop"`
}

// Step is one change after a delay. Exactly one of Add, Update, Patch and
// Delete is set. With Repeat n, the step runs n times with "$i" in its
// strings replaced by From, From+1, ...; "$now" becomes the current time
// ("$now-2h13m": that long before), and "$time:NAME" the time it was first
// written in this pass through the setup or the loop (so a later patch can
// repeat an earlier step's time: a list in a merge patch is replaced whole).
type Step struct {
	Wait   Duration       `json:"wait,omitempty"`
	Say    string         `json:"say,omitempty"`
	Repeat int            `json:"repeat,omitempty"`
	From   int            `json:"from,omitempty"`
	Add    map[string]any `json:"add,omitempty"`
	Update map[string]any `json:"update,omitempty"`
	Patch  *Patch         `json:"patch,omitempty"`
	Delete *Ref           `json:"delete,omitempty"`
}

// Ref names an object.
type Ref struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// Patch is a JSON merge patch of an object.
type Patch struct {
	Ref   `json:",inline"`
	Merge map[string]any `json:"merge"`
}

// Duration reads "1.5s" style durations.
type Duration time.Duration

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"2s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Parse reads and checks a script.
func Parse(data []byte) (*Script, error) {
	var s Script
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		return nil, fmt.Errorf("demo script: %w", err)
	}
	for i, st := range append(append([]Step{}, s.Setup...), s.Loop...) {
		n := 0
		for _, set := range []bool{st.Add != nil, st.Update != nil, st.Patch != nil, st.Delete != nil} {
			if set {
				n++
			}
		}
		if n != 1 && !(n == 0 && st.Say != "") {
			return nil, fmt.Errorf("demo script: step %d: want exactly one of add, update, patch, delete", i+1)
		}
		for _, obj := range []map[string]any{st.Add, st.Update} {
			if obj != nil {
				if _, err := kindOf(fmt.Sprint(obj["kind"])); err != nil {
					return nil, fmt.Errorf("demo script: step %d: %w", i+1, err)
				}
			}
		}
	}
	if len(s.Loop) == 0 {
		return nil, fmt.Errorf("demo script: no loop steps")
	}
	return &s, nil
}

type kind struct {
	gvr     schema.GroupVersionResource
	dynamic bool // NodeClaims and NodePools live in the dynamic client
	new     func() runtime.Object
}

var kinds = map[string]kind{
	"Node":      {gvr: corev1.SchemeGroupVersion.WithResource("nodes"), new: func() runtime.Object { return &corev1.Node{} }},
	"Pod":       {gvr: corev1.SchemeGroupVersion.WithResource("pods"), new: func() runtime.Object { return &corev1.Pod{} }},
	"Event":     {gvr: corev1.SchemeGroupVersion.WithResource("events"), new: func() runtime.Object { return &corev1.Event{} }},
	"NodeClaim": {gvr: cluster.NodeClaimResource, dynamic: true},
	"NodePool":  {gvr: cluster.NodePoolResource, dynamic: true},
}

func kindOf(k string) (kind, error) {
	kd, ok := kinds[k]
	if !ok {
		return kind{}, fmt.Errorf("unknown kind %q (want Node, Pod, Event, NodeClaim or NodePool)", k)
	}
	return kd, nil
}

// Cluster is the in-memory cluster the demo plays on.
type Cluster struct {
	Kube    *fake.Clientset
	Dynamic *dynfake.FakeDynamicClient
	script  *Script
	speed   float64
	say     func(string)
	now     func() time.Time
	setUp   bool // the setup steps were played (Setup)
	// marks are the times "$time:NAME" stood for in this pass.
	marks map[string]string
}

// New builds the in-memory clients (NodeClaims and NodePools served) for a script. say
// receives the narration ("$ kubectl scale ..."); speed > 1 plays faster.
func New(script *Script, speed float64, say func(string)) *Cluster {
	kube := fake.NewClientset()
	kube.Discovery().(*fakediscovery.FakeDiscovery).Resources = []*metav1.APIResourceList{{
		GroupVersion: "karpenter.sh/v1",
		APIResources: []metav1.APIResource{{Name: "nodeclaims", Kind: "NodeClaim"}, {Name: "nodepools", Kind: "NodePool"}},
	}}
	dyn := dynfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{kinds["NodeClaim"].gvr: "NodeClaimList", kinds["NodePool"].gvr: "NodePoolList"})
	if say == nil {
		say = func(string) {}
	}
	return &Cluster{Kube: kube, Dynamic: dyn, script: script, speed: speed, say: say, now: time.Now}
}

// Run plays the setup (unless Setup did), then the loop until ctx ends. A
// step that fails is an error in the script: Run returns it.
func (c *Cluster) Run(ctx context.Context) error {
	if err := c.Setup(ctx); err != nil {
		return err
	}
	for ctx.Err() == nil {
		if err := c.play(ctx, c.script.Loop); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) play(ctx context.Context, steps []Step) error {
	c.marks = map[string]string{}
	for i, st := range steps {
		if st.Wait > 0 {
			t := time.NewTimer(time.Duration(float64(st.Wait) / c.speed))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		if st.Say != "" {
			c.say(st.Say)
		}
		n, from := max(st.Repeat, 1), st.From
		if st.Repeat > 0 && from == 0 {
			from = 1
		}
		for k := 0; k < n; k++ {
			if err := c.apply(st, from+k); err != nil {
				return fmt.Errorf("demo step %d: %w", i+1, err)
			}
		}
	}
	return nil
}

func (c *Cluster) tracker(k kind) clienttesting.ObjectTracker {
	if k.dynamic {
		return c.Dynamic.Tracker()
	}
	return c.Kube.Tracker()
}

func (c *Cluster) apply(st Step, i int) error {
	sub := substituter{i: i, now: c.now().UTC(), marks: c.marks}
	switch {
	case st.Add != nil, st.Update != nil:
		m := st.Add
		if m == nil {
			m = st.Update
		}
		m = sub.object(m)
		k, err := kindOf(fmt.Sprint(m["kind"]))
		if err != nil {
			return err
		}
		obj, err := c.typed(k, m)
		if err != nil {
			return err
		}
		meta, _ := obj.(metav1.Object)
		if st.Add != nil {
			if created := meta.GetCreationTimestamp(); created.IsZero() {
				// Whole seconds, as an API server stamps them.
				meta.SetCreationTimestamp(metav1.NewTime(c.now().Truncate(time.Second)))
			}
			return c.tracker(k).Create(k.gvr, obj, meta.GetNamespace())
		}
		return c.tracker(k).Update(k.gvr, obj, meta.GetNamespace())
	case st.Patch != nil:
		ref := sub.ref(st.Patch.Ref)
		k, err := kindOf(ref.Kind)
		if err != nil {
			return err
		}
		cur, err := c.tracker(k).Get(k.gvr, ref.Namespace, ref.Name)
		if err != nil {
			return err
		}
		orig, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		patch, err := json.Marshal(sub.object(st.Patch.Merge))
		if err != nil {
			return err
		}
		merged, err := jsonpatch.MergePatch(orig, patch)
		if err != nil {
			return fmt.Errorf("patch %s %s: %w", ref.Kind, ref.Name, err)
		}
		var m map[string]any
		if err := json.Unmarshal(merged, &m); err != nil {
			return err
		}
		obj, err := c.typed(k, m)
		if err != nil {
			return err
		}
		return c.tracker(k).Update(k.gvr, obj, ref.Namespace)
	case st.Delete != nil:
		ref := sub.ref(*st.Delete)
		k, err := kindOf(ref.Kind)
		if err != nil {
			return err
		}
		return c.tracker(k).Delete(k.gvr, ref.Namespace, ref.Name)
	}
	return nil
}

// typed converts a script object to what the kind's tracker stores.
func (c *Cluster) typed(k kind, m map[string]any) (runtime.Object, error) {
	if k.dynamic {
		return &unstructured.Unstructured{Object: m}, nil
	}
	obj := k.new()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, obj); err != nil {
		return nil, fmt.Errorf("%s: %w", m["kind"], err)
	}
	return obj, nil
}

type substituter struct {
	i     int
	now   time.Time
	marks map[string]string
}

// timeToken is "$now" with an optional offset, or "$time:NAME".
var timeToken = regexp.MustCompile(`\$now([+-][0-9][0-9.a-zµ]*)?|\$time:[A-Za-z0-9_.-]+`)

func (s substituter) str(v string) string {
	v = strings.ReplaceAll(v, "$i", fmt.Sprint(s.i))
	if !strings.Contains(v, "$") {
		return v
	}
	return timeToken.ReplaceAllStringFunc(v, func(tok string) string {
		if name, ok := strings.CutPrefix(tok, "$time:"); ok {
			if t, seen := s.marks[name]; seen {
				return t
			}
			t := s.now.Format(time.RFC3339)
			if s.marks != nil {
				s.marks[name] = t
			}
			return t
		}
		at := s.now
		if off := strings.TrimPrefix(tok, "$now"); off != "" {
			d, err := time.ParseDuration(off)
			if err != nil {
				return tok
			}
			at = at.Add(d)
		}
		return at.Format(time.RFC3339)
	})
}

func (s substituter) ref(r Ref) Ref {
	return Ref{Kind: r.Kind, Namespace: s.str(r.Namespace), Name: s.str(r.Name)}
}

// object deep-copies m with substitutions.
func (s substituter) object(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = s.value(v)
	}
	return out
}

func (s substituter) value(v any) any {
	switch t := v.(type) {
	case string:
		return s.str(t)
	case map[string]any:
		return s.object(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = s.value(e)
		}
		return out
	}
	return v
}
