package cluster

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/eksnodeviewer/eks-node-viewer/internal/karpenter"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
)

// wirePodFixture is a pod as a cluster sends it, with every part the
// model reads and many it does not.
func wirePodFixture(i int) *corev1.Pod {
	rl := func(cpu, mem string) corev1.ResourceList {
		return corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}
	}
	always := corev1.ContainerRestartPolicyAlways
	t0 := metav1.NewTime(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	grace := int64(30)
	mounts := []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app", ReadOnly: true}}
	container := func(name, cpu string) corev1.Container {
		return corev1.Container{
			Name: name, Image: "registry.example/" + name + ":1", Args: []string{"--v=2"},
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			Env:   []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}},
			Resources: corev1.ResourceRequirements{
				Requests: rl(cpu, "128Mi"), Limits: rl("1", "256Mi"),
			},
			VolumeMounts: mounts,
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}}},
		}
	}
	status := func(name, cpu string) corev1.ContainerStatus {
		return corev1.ContainerStatus{
			Name: name, Ready: true, Image: "registry.example/" + name + ":1", ContainerID: "containerd://abc",
			State:              corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: t0}},
			AllocatedResources: rl(cpu, "128Mi"),
			Resources:          &corev1.ResourceRequirements{Requests: rl(cpu, "128Mi")},
		}
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "team-a", Name: fmt.Sprintf("web-%d", i), GenerateName: "web-",
			UID: types.UID(fmt.Sprintf("uid-%d", i)), ResourceVersion: fmt.Sprint(1000 + i),
			CreationTimestamp: t0, Generation: 3,
			Labels: map[string]string{"app": "web", "pod-template-hash": "abc"},
			Annotations: map[string]string{
				"kubectl.kubernetes.io/last-applied-configuration": `{"big":"json"}`,
				karpenter.AnnotationDoNotDisrupt:                   "30m",
				pricing.FargateCapacityAnnotation:                  "0.25vCPU 0.5GB",
			},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-abc", UID: "rs", Controller: ptrTo(true)}},
			Finalizers:      []string{"example.com/keep"},
			ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate}},
		},
		Spec: corev1.PodSpec{
			NodeName:       "node-1",
			Volumes:        []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "web"}}}}},
			InitContainers: []corev1.Container{container("migrate", "500m"), container("proxy", "100m")},
			Containers:     []corev1.Container{container("app", "250m"), container("envoy", "50m")},
			Overhead:       rl("10m", "20Mi"),
			Tolerations:    []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}},
			NodeSelector:   map[string]string{"kubernetes.io/os": "linux"},
			Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}}}}}}},
			TerminationGracePeriodSeconds: &grace,
			PriorityClassName:             "high",
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning, HostIP: "10.0.0.1", PodIP: "10.0.1.2", QOSClass: corev1.PodQOSBurstable,
			StartTime: &t0,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: t0},
				{Type: corev1.PodResizePending, Status: corev1.ConditionTrue, Reason: corev1.PodReasonInfeasible, Message: "too big"},
			},
			InitContainerStatuses: []corev1.ContainerStatus{status("migrate", "500m"), status("proxy", "100m")},
			ContainerStatuses:     []corev1.ContainerStatus{status("app", "300m"), status("envoy", "50m")},
		},
	}
	p.Spec.InitContainers[1].RestartPolicy = &always
	switch i % 4 {
	case 1: // pod-level resources, being deleted
		p.Spec.Resources = &corev1.ResourceRequirements{Requests: rl("2", "1Gi")}
		now := metav1.NewTime(t0.Add(time.Hour))
		p.DeletionTimestamp, p.DeletionGracePeriodSeconds = &now, &grace
	case 2: // no annotations the model reads, no resize condition, pending
		p.Annotations = map[string]string{"prometheus.io/scrape": "true"}
		p.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable"}}}
		p.Spec.NodeName = ""
	case 3: // a watch-list's bookmark: its annotation ends the initial events
		p = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "123",
			Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true", "example.com/other": "x"}}}
	}
	return p
}

// modelView is what the model may read of a pod: the fields the wire
// filter keeps, copied by hand from p (an independent statement of the
// same list).
func modelView(p *corev1.Pod) *corev1.Pod {
	out := &corev1.Pod{}
	m := p.ObjectMeta
	out.ObjectMeta = metav1.ObjectMeta{
		Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
		CreationTimestamp: m.CreationTimestamp, DeletionTimestamp: m.DeletionTimestamp,
		DeletionGracePeriodSeconds: m.DeletionGracePeriodSeconds, OwnerReferences: m.OwnerReferences,
	}
	for k, v := range m.Annotations {
		if k == pricing.FargateCapacityAnnotation || k == karpenter.AnnotationDoNotDisrupt || strings.HasPrefix(k, "k8s.io/") {
			if out.Annotations == nil {
				out.Annotations = map[string]string{}
			}
			out.Annotations[k] = v
		}
	}
	slimC := func(cs []corev1.Container) []corev1.Container {
		var o []corev1.Container
		for _, c := range cs {
			o = append(o, corev1.Container{Name: c.Name, RestartPolicy: c.RestartPolicy,
				Resources: corev1.ResourceRequirements{Requests: c.Resources.Requests}})
		}
		return o
	}
	slimS := func(ss []corev1.ContainerStatus) []corev1.ContainerStatus {
		var o []corev1.ContainerStatus
		for _, s := range ss {
			cs := corev1.ContainerStatus{Name: s.Name, AllocatedResources: s.AllocatedResources}
			if s.Resources != nil {
				cs.Resources = &corev1.ResourceRequirements{Requests: s.Resources.Requests}
			}
			o = append(o, cs)
		}
		return o
	}
	out.Spec = corev1.PodSpec{
		NodeName: p.Spec.NodeName, Containers: slimC(p.Spec.Containers), InitContainers: slimC(p.Spec.InitContainers),
		Overhead: p.Spec.Overhead, Resources: p.Spec.Resources,
	}
	st := p.Status
	out.Status = corev1.PodStatus{
		Phase: st.Phase, StartTime: st.StartTime,
		ContainerStatuses: slimS(st.ContainerStatuses), InitContainerStatuses: slimS(st.InitContainerStatuses),
		Resize: st.Resize, AllocatedResources: st.AllocatedResources, Resources: st.Resources,
		NodeAllocatableResourceClaimStatuses: st.NodeAllocatableResourceClaimStatuses,
	}
	for _, c := range st.Conditions {
		if c.Type == corev1.PodResizePending {
			out.Status.Conditions = append(out.Status.Conditions, c)
		}
	}
	return out
}

func protobufInfo(t testing.TB, ns runtime.NegotiatedSerializer) runtime.SerializerInfo {
	t.Helper()
	for _, info := range ns.SupportedMediaTypes() {
		if info.MediaType == runtime.ContentTypeProtobuf {
			return info
		}
	}
	t.Fatal("no protobuf serializer")
	return runtime.SerializerInfo{}
}

func encodeProto(t testing.TB, obj runtime.Object) []byte {
	t.Helper()
	info := protobufInfo(t, scheme.Codecs)
	b, err := runtime.Encode(scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion), obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func slimDecoder(t testing.TB) runtime.Decoder {
	ns := PodCodecs(scheme.Codecs.WithoutConversion())
	return ns.DecoderToVersion(protobufInfo(t, ns).Serializer, corev1.SchemeGroupVersion)
}

// cleanKind drops what decoding sets beside the object (its kind), which
// a fixture does not have.
func cleanKind(p *corev1.Pod) *corev1.Pod { p.TypeMeta = metav1.TypeMeta{}; return p }

// plainDecoder decodes as client-go does without PodCodecs.
func plainDecoder(t testing.TB) runtime.Decoder {
	return scheme.Codecs.WithoutConversion().DecoderToVersion(protobufInfo(t, scheme.Codecs).Serializer, corev1.SchemeGroupVersion)
}

func decodePod(t testing.TB, dec runtime.Decoder, data []byte) *corev1.Pod {
	t.Helper()
	obj, _, err := dec.Decode(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cleanKind(obj.(*corev1.Pod))
}

func TestSlimPodsKeepWhatTheModelReads(t *testing.T) {
	dec, plain := slimDecoder(t), plainDecoder(t)
	r := newResources([]string{"cpu", "memory", "pods"})
	for i := range 4 {
		data := encodeProto(t, wirePodFixture(i))
		p := decodePod(t, plain, data) // as the model saw it before
		got := decodePod(t, dec, data)
		if want := modelView(p); !apiequality.Semantic.DeepEqual(want, got) {
			t.Errorf("pod %d: slim pod\n got %+v\nwant %+v", i, got, want)
		}
		if i == 3 && got.Annotations[metav1.InitialEventsAnnotationKey] != "true" {
			t.Errorf("the bookmark lost its %s annotation: %v", metav1.InitialEventsAnnotationKey, got.Annotations)
		}
		full, _ := r.transformPod(p)
		slim, _ := r.transformPod(got)
		if !reflect.DeepEqual(full, slim) {
			t.Errorf("pod %d: the model's record differs\n slim %+v\n full %+v", i, slim, full)
		}
	}
}

// TestSlimPodsShrink: the filter must be doing its job, not passing the
// bytes through (which the test above would also accept).
func TestSlimPodsShrink(t *testing.T) {
	data := encodeProto(t, wirePodFixture(0))
	slim, ok := slimPodBytes(nil, data)
	if !ok {
		t.Fatal("not filtered")
	}
	if len(slim)*2 > len(data) {
		t.Errorf("filtered %d bytes to %d: want less than half", len(data), len(slim))
	}
}

func TestSlimPodListAndWatchEvent(t *testing.T) {
	dec, plain := slimDecoder(t), plainDecoder(t)
	list := &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "77", Continue: "next"}}
	for i := range 4 {
		list.Items = append(list.Items, *wirePodFixture(i))
	}
	into := &corev1.PodList{}
	if _, _, err := dec.Decode(encodeProto(t, list), nil, into); err != nil {
		t.Fatal(err)
	}
	if into.ResourceVersion != "77" || into.Continue != "next" || len(into.Items) != 4 {
		t.Fatalf("list meta %+v, %d items", into.ListMeta, len(into.Items))
	}
	for i := range into.Items {
		p := decodePod(t, plain, encodeProto(t, &list.Items[i]))
		if want, got := modelView(p), cleanKind(&into.Items[i]); !apiequality.Semantic.DeepEqual(want, got) {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

// TestSlimPodsLeaveOthersAlone: nodes, events and bytes the filter cannot
// parse decode exactly as through the plain serializer.
func TestSlimPodsLeaveOthersAlone(t *testing.T) {
	plain, dec := plainDecoder(t), slimDecoder(t)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: map[string]string{"a": "b"}},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}}
	good := encodeProto(t, wirePodFixture(0))
	inputs := map[string][]byte{
		"node":      encodeProto(t, node),
		"event":     encodeProto(t, &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e", Namespace: "d"}, Reason: "Nominated"}),
		"truncated": good[:len(good)-7],
		"garbage":   append(bytes.Clone(protoPrefix), 0xff, 0xff, 0xff),
		"json":      []byte(`{"kind":"Pod","apiVersion":"v1"}`),
	}
	for name, data := range inputs {
		want, _, werr := plain.Decode(bytes.Clone(data), nil, nil)
		got, _, gerr := dec.Decode(bytes.Clone(data), nil, nil)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: error %v, plain serializer's %v", name, gerr, werr)
			continue
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: differs from the plain serializer\n slim %+v\nplain %+v", name, got, want)
		}
	}
}

// TestSlimPodsOnlyFilterProtobufRaw: an envelope whose raw bytes say they
// are in another encoding is left alone.
func TestSlimPodsOnlyFilterProtobufRaw(t *testing.T) {
	unk := runtime.Unknown{TypeMeta: runtime.TypeMeta{APIVersion: "v1", Kind: "Pod"}, Raw: []byte(`{"metadata":{}}`), ContentType: "application/json"}
	b, err := unk.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := slimPodBytes(nil, append(bytes.Clone(protoPrefix), b...)); ok {
		t.Error("filtered JSON raw bytes as protobuf")
	}
}

// BenchmarkPodDecode: a fat pod (fixture 0) decoded whole, then slimmed.
func BenchmarkPodDecode(b *testing.B) {
	data := encodeProto(b, wirePodFixture(0))
	for _, bc := range []struct {
		name string
		dec  runtime.Decoder
	}{
		{"whole", plainDecoder(b)},
		{"slim", slimDecoder(b)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := bc.dec.Decode(data, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
