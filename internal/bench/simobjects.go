package main

import (
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The simulation's objects, made one at a time as they are fed (nothing
// keeps the full objects): the scale bench's nodes, NodeClaims (one node in
// claimEvery), NodePools, Karpenter events, and pods shaped like makePod's.
// What the model keeps of an object must be what it keeps of a decoded
// one, whose every string is its own: nodes, NodeClaims, NodePools and
// events are made, encoded and decoded (protobuf as the typed informers
// ask; JSON for the dynamic client's). Pods, 20 per node, are too many to
// make that way in minutes, so they are made directly with only what the
// model reads, every string its own (simPod; TestSimPodIsWhatTheModelKeeps
// checks the model keeps the same of makePod's full pods).

// simWorld makes the objects of one size.
type simWorld struct {
	s       size
	created time.Time // the newest node's creation
	pb      protoCodec
}

func newSimWorld(s size, now time.Time) *simWorld {
	return &simWorld{s: s, created: now.Add(-time.Hour).Truncate(time.Second), pb: newProtoCodec()}
}

// nodeCreated spreads the nodes' creation over days, without ties.
func (w *simWorld) nodeCreated(i int) time.Time {
	return w.created.Add(-time.Duration(i) * 7 * time.Second)
}

// node is node i, as decoded from the API server's protobuf.
func (w *simWorld) node(i int) (*corev1.Node, error) {
	n := makeNode(i, w.nodeCreated(i))
	n.CreationTimestamp = metav1.NewTime(w.nodeCreated(i))
	out := &corev1.Node{}
	return out, w.pb.roundTrip(n, out)
}

// claims is how many NodeClaims there are; claim j backs node j*claimEvery.
func (w *simWorld) claims() int { return (w.s.nodes + claimEvery - 1) / claimEvery }

// claim is NodeClaim j, as the dynamic client decodes it (JSON).
func (w *simWorld) claim(j int) (*unstructured.Unstructured, error) {
	i := j * claimEvery
	u := makeNodeClaim(i, w.nodeCreated(i).Add(-time.Minute))
	u.SetCreationTimestamp(metav1.NewTime(w.nodeCreated(i).Add(-time.Minute)))
	return jsonRoundTrip(u)
}

// pool is NodePool k of nodePools.
func (w *simWorld) pool(k int) (*unstructured.Unstructured, error) {
	return jsonRoundTrip(makeNodePool(nodePools[k], k, w.s))
}

// events is how many Karpenter events there are: one per ten nodes.
func (w *simWorld) events() int { return (w.s.nodes + 9) / 10 }

// event is Karpenter event j (as churner.event shapes them): even ones
// nominate a pod to a NodeClaim, odd ones say a node cannot be
// consolidated.
func (w *simWorld) event(j int) (*corev1.Event, error) {
	at := metav1.NewTime(w.created.Add(30 * time.Minute))
	node := (j * 10) % w.s.nodes
	e := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: fmt.Sprintf("sim-%06d.karpenter", j), CreationTimestamp: at},
		Source:         corev1.EventSource{Component: "karpenter"},
		Type:           corev1.EventTypeNormal,
		FirstTimestamp: at, LastTimestamp: at, Count: 1,
	}
	if j%2 == 0 {
		p := min(j*10, max(w.s.pods-1, 0))
		e.Namespace = namespaceName(p)
		e.InvolvedObject = corev1.ObjectReference{Kind: "Pod", Namespace: e.Namespace, Name: podName(p)}
		e.Reason, e.Message = "Nominated", "Pod should schedule on: nodeclaim/"+claimName(node/claimEvery*claimEvery)
	} else {
		e.Namespace = "default"
		e.InvolvedObject = corev1.ObjectReference{Kind: "Node", Name: nodeName(node)}
		e.Reason, e.Message = "Unconsolidatable", "Can't replace with a cheaper node"
	}
	out := &corev1.Event{}
	return out, w.pb.roundTrip(e, out)
}

// podCreated: pods start after their node, a second apart.
func (w *simWorld) podCreated(i int) time.Time {
	return w.nodeCreated(podNode(i, w.s.nodes)).Add(time.Duration(1+i/w.s.nodes) * time.Second)
}

// pod is pod i with what the model reads of makePod's: its names, node,
// phase, owner, creation and its containers' requests. (The model interns
// the namespace, node and owner and keeps the phase as a constant, so that
// only the name needs to be the pod's own string, as Sprintf makes it.)
func (w *simWorld) pod(i int) *corev1.Pod {
	app := fmt.Sprintf("svc-%d", i%300)
	hash := fmt.Sprintf("%x", 0x7f9c8d00+i%300)
	controller := true
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: namespaceName(i), Name: podName(i),
			CreationTimestamp: metav1.NewTime(w.podCreated(i)),
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-" + hash, Controller: &controller,
			}},
		},
		Spec:   corev1.PodSpec{NodeName: nodeName(podNode(i, w.s.nodes))},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for k := range containerCount(i) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{
			Name: []string{"app", "envoy", "log-shipper"}[k],
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(50+(i*7+k*13)%400), resource.DecimalSI),
				corev1.ResourceMemory: *resource.NewQuantity(int64(64+(i*11+k*5)%960)<<20, resource.BinarySI),
			}},
		})
	}
	if hasInit(i) {
		p.Spec.InitContainers = []corev1.Container{{Name: "migrate", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(500, resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(256<<20, resource.BinarySI),
		}}}}
	}
	return p
}

// fullPod is pod i in full, as the API server serves it (makePod's):
// what the pod events carry.
func (w *simWorld) fullPod(i int) *corev1.Pod {
	p := makePod(i, namespaceName(i), podName(i), nodeName(podNode(i, w.s.nodes)))
	p.CreationTimestamp = metav1.NewTime(w.podCreated(i))
	return p
}

// usage is a node metrics poll of every node: node i uses a share of its
// allocatable that moves with round.
func (w *simWorld) usage(at time.Time, round int) []cluster.NodeUsage {
	out := make([]cluster.NodeUsage, w.s.nodes)
	for i := range out {
		it := instanceTypes[i%len(instanceTypes)]
		cpu := map[string]int64{"15890m": 15890, "31750m": 31750}[it.cpu]
		share := int64((i*37+round*11)%90 + 5) // percent
		out[i] = cluster.NodeUsage{Name: nodeName(i), At: at, Window: 20 * time.Second,
			CPU: cpu * share / 100, Memory: int64(40<<30) * share / 100 * 1000}
	}
	return out
}

// load feeds everything of w into f (nodes, NodePools, NodeClaims, pods,
// events: the order the informers usually sync in) and completes the
// initial sync.
func (w *simWorld) load(f *cluster.Feed) error {
	for i := range w.s.nodes {
		n, err := w.node(i)
		if err != nil {
			return fmt.Errorf("node %d: %w", i, err)
		}
		if err := f.Add(n); err != nil {
			return err
		}
	}
	for k := range nodePools {
		p, err := w.pool(k)
		if err != nil {
			return fmt.Errorf("nodepool %d: %w", k, err)
		}
		if err := f.Add(p); err != nil {
			return err
		}
	}
	for j := range w.claims() {
		u, err := w.claim(j)
		if err != nil {
			return fmt.Errorf("nodeclaim %d: %w", j, err)
		}
		if err := f.Add(u); err != nil {
			return err
		}
	}
	for i := range w.s.pods {
		if err := f.Add(w.pod(i)); err != nil {
			return err
		}
	}
	for j := range w.events() {
		e, err := w.event(j)
		if err != nil {
			return fmt.Errorf("event %d: %w", j, err)
		}
		if err := f.Add(e); err != nil {
			return err
		}
	}
	f.Synced()
	return nil
}

// protoCodec encodes and decodes core objects in protobuf with client-go's
// scheme codecs, as the typed clients the informers use ask for them.
type protoCodec struct {
	enc runtime.Encoder
	dec runtime.Decoder
}

func newProtoCodec() protoCodec {
	info, ok := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		panic("client-go's scheme has no protobuf serializer")
	}
	return protoCodec{
		enc: scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion),
		// What a typed client decodes with (scheme.Codecs.WithoutConversion).
		dec: scheme.Codecs.WithoutConversion().DecoderToVersion(info.Serializer, corev1.SchemeGroupVersion),
	}
}

// roundTrip encodes in and decodes it into out.
func (c protoCodec) roundTrip(in, out runtime.Object) error {
	data, err := runtime.Encode(c.enc, in)
	if err != nil {
		return err
	}
	_, _, err = c.dec.Decode(data, nil, out)
	return err
}

// jsonRoundTrip is u as the dynamic client decodes it.
func jsonRoundTrip(u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	data, err := json.Marshal(u.Object)
	if err != nil {
		return nil, err
	}
	obj, err := runtime.Decode(unstructured.UnstructuredJSONScheme, data)
	if err != nil {
		return nil, err
	}
	out, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("decoded %T", obj)
	}
	return out, nil
}

// podEvents are the pod events of the simulation: updates of distinct
// pods spread over the whole cluster (so that the model's and the store's
// memory they touch is not all in the CPU's caches, as with a real
// cluster's events), each carrying one of a few thousand full bodies (as
// the API server sends them) renamed to the pod it updates.
type podEvents struct {
	ids    []podID
	bodies []*corev1.Pod
}

type podID struct{ ns, name, node string }

const (
	podEventIDs    = 1 << 16 // distinct pods updated
	podEventBodies = 4096    // full pod bodies they carry
)

func newPodEvents(w *simWorld) *podEvents {
	e := &podEvents{ids: make([]podID, min(podEventIDs, w.s.pods)), bodies: make([]*corev1.Pod, min(podEventBodies, w.s.pods))}
	step := spread(w.s.pods, len(e.ids))
	for j := range e.ids {
		i := j * step
		e.ids[j] = podID{namespaceName(i), podName(i), nodeName(podNode(i, w.s.nodes))}
	}
	step = spread(w.s.pods, len(e.bodies))
	for j := range e.bodies {
		e.bodies[j] = w.fullPod(j * step)
	}
	return e
}

// at is the update of the j-th pod (modulo their number).
func (e *podEvents) at(j int) *corev1.Pod {
	id := e.ids[j%len(e.ids)]
	p := e.bodies[j%len(e.bodies)]
	p.Namespace, p.Name, p.Spec.NodeName = id.ns, id.name, id.node
	return p
}

// pass updates every pod once.
func (e *podEvents) pass(f *cluster.Feed) func() error {
	return func() error {
		for j := range e.ids {
			if err := f.Update(e.at(j)); err != nil {
				return err
			}
		}
		return nil
	}
}

// hotPass updates podEventBodies of the pods over and over, as many
// events as pass: what an event costs when all it touches is in the
// CPU's caches.
func (e *podEvents) hotPass(f *cluster.Feed) func() error {
	hot := max(1, len(e.ids)/podEventBodies)
	return func() error {
		for j := range e.ids {
			if err := f.Update(e.at(j % podEventBodies * hot)); err != nil {
				return err
			}
		}
		return nil
	}
}

// objects are the bodies, for the decode.
func (e *podEvents) objects() []runtime.Object {
	out := make([]runtime.Object, len(e.bodies))
	for j, p := range e.bodies {
		out[j] = p
	}
	return out
}

// nodeEvents are status updates of a few thousand nodes spread over the
// cluster (a kubelet's heartbeat moves its conditions' times), decoded.
func nodeEvents(w *simWorld) ([]runtime.Object, error) {
	out := make([]runtime.Object, min(podEventBodies, w.s.nodes))
	step := spread(w.s.nodes, len(out))
	for j := range out {
		n, err := w.node(j * step)
		if err != nil {
			return nil, err
		}
		for k := range n.Status.Conditions {
			n.Status.Conditions[k].LastHeartbeatTime = metav1.NewTime(w.created.Add(time.Minute))
		}
		out[j] = n
	}
	return out, nil
}

// spread is the step that picks n of total objects across all of them,
// with the same mix of shapes at every size: objects vary with their index
// modulo 3, 4 and 5 (containers, instance types, init containers), so the
// step shares no factor with 60.
func spread(total, n int) int {
	step := max(1, total/max(n, 1))
	for step > 1 && gcd(step, 60) != 1 {
		step--
	}
	return step
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
