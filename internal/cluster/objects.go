package cluster

import (
	"strings"
	"time"
	"unique"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The informer transforms below turn each decoded object at once into one of
// these small types holding only what the model reads, so the full object is
// garbage immediately and the informer caches cost little per object. Each
// implements metav1.ObjectMetaAccessor so client-go can key it.

// Karpenter names.
const (
	taintDisrupted  = "karpenter.sh/disrupted"  // v1
	taintDisruption = "karpenter.sh/disruption" // v1beta1
	labelNodePool   = "karpenter.sh/nodepool"
)

type podObj struct {
	ns, name string
	node     string
	phase    corev1.PodPhase
	// req has one entry per tracked resource, in milli-units.
	req     []int64
	fargate string // CapacityProvisioned annotation (Fargate pods)
	// created is the creation time in Unix nanoseconds (0 unknown).
	created  int64
	deleting bool
	// ownerKind/ownerName: the controlling owner (interned: a
	// ReplicaSet's pods share them).
	ownerKind, ownerName string
}

// podKey names a pod; its strings are the pod's own (no copy).
type podKey struct{ ns, name string }

func (p *podObj) key() podKey { return podKey{p.ns, p.name} }

func (p *podObj) GetObjectMeta() metav1.Object {
	return &metav1.ObjectMeta{Namespace: p.ns, Name: p.name}
}

// counts reports whether the pod holds resources: terminal pods don't;
// terminating pods do until they are gone.
func (p *podObj) counts() bool {
	return p.phase != corev1.PodSucceeded && p.phase != corev1.PodFailed
}

type nodeObj struct {
	name       string
	labels     map[string]string
	desc       pricing.Node
	providerID string
	created    time.Time
	deleting   bool
	cordoned   bool
	ready      bool
	readySince time.Time
	alloc      []int64
	taints     []Taint
}

func (n *nodeObj) GetObjectMeta() metav1.Object { return &metav1.ObjectMeta{Name: n.name} }

type claimObj struct {
	name       string
	nodeName   string
	providerID string
	labels     map[string]string
	desc       pricing.Node
	created    time.Time
	deleting   bool
	alloc      []int64
}

func (c *claimObj) GetObjectMeta() metav1.Object { return &metav1.ObjectMeta{Name: c.name} }

// rowName is what a launching NodeClaim is called: its node's name once
// known, else its own.
func (c *claimObj) rowName() string {
	if c.nodeName != "" {
		return c.nodeName
	}
	return c.name
}

type eventObj struct {
	ns, name string
	ev       *Event // nil when not worth showing
}

func (e *eventObj) GetObjectMeta() metav1.Object {
	return &metav1.ObjectMeta{Namespace: e.ns, Name: e.name}
}

// resources maps tracked resource names to slice positions.
type resources struct {
	names []string
	index map[corev1.ResourceName]int
}

func newResources(names []string) resources {
	r := resources{index: map[corev1.ResourceName]int{}}
	for _, n := range names {
		if _, dup := r.index[corev1.ResourceName(n)]; dup {
			continue
		}
		r.index[corev1.ResourceName(n)] = len(r.names)
		r.names = append(r.names, n)
	}
	return r
}

// milli converts a resource list to tracked milli-values (saturated: see
// satMilli).
func (r resources) milli(list corev1.ResourceList) []int64 {
	out := make([]int64, len(r.names))
	for name, q := range list {
		if i, ok := r.index[name]; ok {
			out[i] = satMilli(q)
		}
	}
	return out
}

func (r resources) transformPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil // already transformed, or a tombstone
	}
	p := &podObj{
		ns:       intern(pod.Namespace),
		name:     pod.Name,
		node:     intern(pod.Spec.NodeName),
		phase:    podPhase(pod.Status.Phase),
		req:      r.podRequests(pod),
		fargate:  pod.Annotations[pricing.FargateCapacityAnnotation],
		deleting: pod.DeletionTimestamp != nil,
	}
	if !pod.CreationTimestamp.IsZero() {
		p.created = pod.CreationTimestamp.UnixNano()
	}
	if ref := metav1.GetControllerOfNoCopy(pod); ref != nil {
		p.ownerKind, p.ownerName = intern(ref.Kind), intern(ref.Name)
	}
	if i, ok := r.index[corev1.ResourcePods]; ok {
		p.req[i] = 1000 // one pod
	}
	return p, nil
}

// intern returns the canonical copy of a string that many pods repeat (their
// namespace, their node's name), so that the model holds it once, not once
// per pod.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// podPhase returns the phase as one of the constants (a decoded phase is a
// fresh string per pod).
func podPhase(p corev1.PodPhase) corev1.PodPhase {
	switch p {
	case corev1.PodRunning:
		return corev1.PodRunning
	case corev1.PodPending:
		return corev1.PodPending
	case corev1.PodSucceeded:
		return corev1.PodSucceeded
	case corev1.PodFailed:
		return corev1.PodFailed
	case corev1.PodUnknown:
		return corev1.PodUnknown
	}
	return p
}

func (r resources) transformNode(obj any) (any, error) {
	node, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	n := &nodeObj{
		name:       node.Name,
		labels:     node.Labels,
		desc:       pricing.Describe(node.Name, node.Labels),
		providerID: node.Spec.ProviderID,
		created:    node.CreationTimestamp.Time,
		deleting:   node.DeletionTimestamp != nil,
		cordoned:   node.Spec.Unschedulable,
		alloc:      r.milli(node.Status.Allocatable),
	}
	for _, t := range node.Spec.Taints {
		n.taints = append(n.taints, Taint{Key: t.Key, Value: t.Value, Effect: string(t.Effect)})
		if (t.Key == taintDisrupted || t.Key == taintDisruption) && t.Effect == corev1.TaintEffectNoSchedule {
			n.cordoned = true
		}
	}
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			n.ready = c.Status == corev1.ConditionTrue
			n.readySince = c.LastTransitionTime.Time
		}
	}
	return n, nil
}

func (r resources) transformClaim(obj any) (any, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	c := &claimObj{
		name:     u.GetName(),
		labels:   u.GetLabels(),
		created:  u.GetCreationTimestamp().Time,
		deleting: u.GetDeletionTimestamp() != nil,
	}
	c.nodeName, _, _ = unstructured.NestedString(u.Object, "status", "nodeName")
	c.providerID, _, _ = unstructured.NestedString(u.Object, "status", "providerID")
	c.desc = pricing.Describe(c.rowName(), c.labels)
	if alloc, ok, _ := unstructured.NestedStringMap(u.Object, "status", "allocatable"); ok {
		list := corev1.ResourceList{}
		for k, v := range alloc {
			if q, err := parseQuantity(v); err == nil {
				list[corev1.ResourceName(k)] = q
			}
		}
		c.alloc = r.milli(list)
	} else {
		c.alloc = make([]int64, len(r.names))
	}
	return c, nil
}

// interestingEvent: autoscaler and scheduling events worth a line on screen.
func interestingEvent(e *corev1.Event) bool {
	if e.Reason == "FailedScheduling" {
		return true
	}
	for _, who := range []string{e.Source.Component, e.ReportingController} {
		if strings.Contains(strings.ToLower(who), "karpenter") {
			return true
		}
	}
	return false
}

func transformEvent(obj any) (any, error) {
	e, ok := obj.(*corev1.Event)
	if !ok {
		return obj, nil
	}
	out := &eventObj{ns: e.Namespace, name: e.Name}
	if !interestingEvent(e) {
		return out, nil
	}
	when := e.LastTimestamp.Time
	if e.EventTime.After(when) {
		when = e.EventTime.Time
	}
	if when.IsZero() {
		when = e.FirstTimestamp.Time
	}
	if when.IsZero() {
		when = e.CreationTimestamp.Time
	}
	object := strings.ToLower(e.InvolvedObject.Kind) + "/"
	if e.InvolvedObject.Namespace != "" {
		object += e.InvolvedObject.Namespace + "/"
	}
	out.ev = &Event{
		Time:    when,
		Reason:  e.Reason,
		Object:  object + e.InvolvedObject.Name,
		Message: strings.Join(strings.Fields(e.Message), " "),
	}
	return out, nil
}
