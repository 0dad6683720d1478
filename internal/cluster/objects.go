package cluster

import (
	"strings"
	"sync"
	"time"
	"unique"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// The informer transforms below turn each decoded object at once into one of
// these small types holding only what the model reads, so the full object is
// garbage immediately and the informer caches cost little per object. Each
// implements metav1.ObjectMetaAccessor so client-go can key it.

// Karpenter names.
const (
	labelNodePool  = karpenter.LabelNodePool
	labelNodeGroup = karpenter.LabelNodeGroup
)

type podObj struct {
	ns, name string
	node     string
	phase    corev1.PodPhase
	// req has one entry per tracked resource, in milli-units.
	req []int64
	// rare holds the annotations few pods have (zero for most): one word,
	// and the values are shared (interned).
	rare unique.Handle[podRare]
	// created is the creation time in Unix nanoseconds (0 unknown).
	created  int64
	deleting bool
	// ownerKind/ownerName: the controlling owner (interned: a
	// ReplicaSet's pods share them).
	ownerKind, ownerName string
}

// podRare is what only some pods carry: Fargate's CapacityProvisioned
// annotation; a valid karpenter.sh/do-not-disrupt annotation as written
// ("true", "30m"; "" when absent or invalid) and, for a duration, the
// pod's status.startTime in Unix seconds (0 unknown).
type podRare struct {
	fargate  string
	dnd      string
	dndStart int64
}

func (p *podObj) extra() podRare {
	if p.rare == (unique.Handle[podRare]{}) {
		return podRare{}
	}
	return p.rare.Value()
}

func (p *podObj) fargate() string { return p.extra().fargate }
func (p *podObj) dnd() string     { return p.extra().dnd }

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
	// disrupted: Karpenter's disruption taint is on the node;
	// doNotDisrupt: the node is annotated karpenter.sh/do-not-disrupt "true".
	disrupted    bool
	doNotDisrupt bool
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
	// conds are the conditions the viewer reads (karpenter.NodeClaimConditions).
	conds []karpenter.Condition
	// life is the snapshot's lifecycle of the claim, without its Problem
	// (built once per object version; read only).
	life *Lifecycle
	// disruptionReason is the DisruptionReason condition's reason when
	// True (canonical: "Underutilized", "Empty", "Drifted") and
	// disruptionAt its time; drifted the Drifted condition's reason when
	// True; consolidatable when the Consolidatable condition became True.
	disruptionReason string
	disruptionAt     time.Time
	drifted          string
	consolidatable   time.Time
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
	// For an event worth showing: what it is about, when it was first
	// said, how often (the event's count), whether Karpenter said it, and
	// what it says.
	about objRef
	first time.Time
	count int32
	// evType ("Normal", "Warning") and source (the reporting component)
	// are what derive reads besides the Event.
	evType, source string
	karpenter      bool
	fact           karpenter.Fact
}

// id is the event's namespace/name, to forget what it said when it is deleted.
func (e *eventObj) id() string { return e.ns + "/" + e.name }

func (e *eventObj) GetObjectMeta() metav1.Object {
	return &metav1.ObjectMeta{Namespace: e.ns, Name: e.name}
}

// resources maps tracked resource names to slice positions.
type resources struct {
	names []string
	index map[corev1.ResourceName]int
	// strs interns the pods' repeated strings.
	strs *strTable
}

func newResources(names []string) resources {
	r := resources{index: map[corev1.ResourceName]int{}, strs: &strTable{}}
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
		ns:       r.strs.get(pod.Namespace),
		name:     pod.Name,
		node:     r.strs.get(pod.Spec.NodeName),
		phase:    podPhase(pod.Status.Phase),
		req:      r.podRequests(pod),
		deleting: pod.DeletionTimestamp != nil,
	}
	if !pod.CreationTimestamp.IsZero() {
		p.created = pod.CreationTimestamp.UnixNano()
	}
	if ref := metav1.GetControllerOfNoCopy(pod); ref != nil {
		p.ownerKind, p.ownerName = r.strs.get(ref.Kind), r.strs.get(ref.Name)
	}
	if i, ok := r.index[corev1.ResourcePods]; ok {
		p.req[i] = 1000 // one pod
	}
	rare := podRare{fargate: pod.Annotations[pricing.FargateCapacityAnnotation]}
	if v, ok := pod.Annotations[karpenter.AnnotationDoNotDisrupt]; ok {
		if d := karpenter.ParseDoNotDisrupt(v); d.Valid {
			rare.dnd = v
			if d.For > 0 && pod.Status.StartTime != nil {
				rare.dndStart = pod.Status.StartTime.Unix()
			}
		}
	}
	if rare != (podRare{}) {
		p.rare = unique.Make(rare)
	}
	return p, nil
}

// doNotDisruptInForce reports whether the pod's do-not-disrupt annotation
// holds at now (a terminating pod is no longer protected: Karpenter only
// counts active pods), and until when (zero: for as long as it runs).
func (p *podObj) doNotDisruptInForce(now time.Time) (bool, time.Time) {
	x := p.extra()
	if x.dnd == "" || p.deleting {
		return false, time.Time{}
	}
	var started time.Time
	if x.dndStart != 0 {
		started = time.Unix(x.dndStart, 0)
	}
	d := karpenter.ParseDoNotDisrupt(x.dnd)
	return d.InForce(started, now), d.Until(started)
}

// intern returns the canonical copy of a string that objects repeat (an
// event's type, a condition's reason), so that the model holds it once.
// unique's table keeps an entry only while a Handle lives, so a string
// seen again after a collection is entered again: fine for these; pods,
// by the thousand a second under churn, use their model's strTable.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// strTable interns the strings many pods repeat (their namespace, node,
// owner) for one model: it holds its strings, so pods under churn find
// them, and each model has its own (a fleet's clusters share no lock).
// Past strTableMax entries it starts over: the strings already handed out
// stay valid, only not shared with later ones.
type strTable struct {
	mu sync.Mutex
	m  map[string]string
}

// strTableMax bounds a table: node names, namespaces and owners of a big
// cluster fit many times over.
const strTableMax = 1 << 17

func (t *strTable) get(s string) string {
	if s == "" {
		return ""
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.m[s]; ok {
		return v
	}
	if t.m == nil || len(t.m) >= strTableMax {
		t.m = make(map[string]string)
	}
	s = strings.Clone(s)
	t.m[s] = s
	return s
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
		if karpenter.IsDisruptedTaint(t.Key, string(t.Effect)) {
			n.cordoned, n.disrupted = true, true
		}
	}
	n.doNotDisrupt = karpenter.NodeDoNotDisrupt(node.Annotations[karpenter.AnnotationDoNotDisrupt])
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
	c.conds = karpenter.Conditions(u.Object, keepClaimCondition, intern)
	c.derive()
	return c, nil
}

// derive fills what the claim's record computes from its conditions (and
// its creation): the transform and a replay both call it.
func (c *claimObj) derive() {
	c.disruptionReason, c.disruptionAt, c.drifted, c.consolidatable = "", time.Time{}, "", time.Time{}
	c.life = lifecycleOf(c.conds)
	c.life.Created = c.created // the steps' durations count from here
	if d, ok := karpenter.Find(c.conds, karpenter.CondDisruptionReason); ok && d.True() {
		c.disruptionReason = intern(karpenter.DisruptionReason(nonEmpty(d.Reason, d.Message)))
		c.disruptionAt = d.At
	}
	if d, ok := karpenter.Find(c.conds, karpenter.CondDrifted); ok && d.True() {
		c.drifted = nonEmpty(d.Reason, karpenter.ReasonDrifted)
	}
	if d, ok := karpenter.Find(c.conds, karpenter.CondConsolidatable); ok && d.True() {
		c.consolidatable = d.At
		if c.consolidatable.IsZero() {
			c.consolidatable = c.created // True without a time: at least since then
		}
	}
}

func keepClaimCondition(t string) bool {
	switch t {
	case karpenter.CondLaunched, karpenter.CondRegistered, karpenter.CondInitialized, karpenter.CondReady,
		karpenter.CondConsolidatable, karpenter.CondDrifted, karpenter.CondDisruptionReason,
		karpenter.CondConsistent, karpenter.CondDrained, karpenter.CondVolumesDetached, karpenter.CondTerminating:
		return true
	}
	return false
}

// lifecycleOf is the snapshot's lifecycle of a NodeClaim's conditions.
func lifecycleOf(conds []karpenter.Condition) *Lifecycle {
	kl := karpenter.ParseLifecycle(conds)
	l := &Lifecycle{Steps: make([]Step, len(kl.Steps))}
	for i, c := range kl.Steps {
		l.Steps[i] = Step{Type: c.Type, Status: c.Status, At: c.At, Reason: c.Reason, Message: c.Message}
	}
	if kl.Failed >= 0 {
		f := l.Steps[kl.Failed]
		l.Failed = &f
	}
	return l
}

func nonEmpty(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
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
	out.about = refOf(e.InvolvedObject)
	out.first = e.FirstTimestamp.Time
	if out.first.IsZero() || out.first.After(when) {
		out.first = when
	}
	out.count = e.Count
	out.evType, out.source = intern(e.Type), intern(e.Source.Component)
	if out.source == "" {
		out.source = intern(e.ReportingController)
	}
	out.derive()
	return out, nil
}

// derive fills what an event worth showing says, from its reason, type,
// source and message: the transform and a replay both call it.
func (e *eventObj) derive() {
	e.karpenter, e.fact = false, karpenter.Fact{}
	if e.ev == nil {
		return
	}
	ke := karpenter.Event{Reason: e.ev.Reason, Type: e.evType, Source: e.source, Message: e.ev.Message}
	e.karpenter = ke.FromKarpenter()
	e.fact = karpenter.ParseEvent(ke)
}

// refOf names the object an event is about, for the kinds the model keeps
// facts of (zero for the others).
func refOf(o corev1.ObjectReference) objRef {
	switch o.Kind {
	case "Node":
		return objRef{kind: kindNode, name: o.Name}
	case "NodeClaim":
		return objRef{kind: kindClaim, name: o.Name}
	case "NodePool":
		return objRef{kind: kindPool, name: o.Name}
	case "Pod":
		return objRef{kind: kindPod, ns: o.Namespace, name: o.Name}
	}
	return objRef{}
}
