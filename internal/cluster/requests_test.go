package cluster

import (
	"fmt"
	"math/rand"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
	"k8s.io/utils/ptr"
)

// randomPod builds pods across what changes the effective requests:
// containers, init containers (plain and restartable), resize status
// (allocated and applied resources, an infeasible resize), overhead,
// pod-level resources, missing resources and odd quantities.
func randomPod(rng *rand.Rand) *corev1.Pod {
	quantities := map[corev1.ResourceName][]string{
		corev1.ResourceCPU:    {"0", "1m", "100m", "250m", "1", "1.5", "2", "3"},
		corev1.ResourceMemory: {"0", "1", "64Mi", "1Gi", "1.5Gi", "100M", "0.5", "1e3", "128974848"},
		"nvidia.com/gpu":      {"1", "2"},
		"hugepages-2Mi":       {"2Mi", "4Mi"},
	}
	odd := []string{"0.5m", "100u", "1500n"} // finer than a milli-unit
	list := func() corev1.ResourceList {
		l := corev1.ResourceList{}
		for name, qs := range quantities {
			if rng.Intn(3) > 0 {
				l[name] = resource.MustParse(qs[rng.Intn(len(qs))])
			}
		}
		if rng.Intn(40) == 0 {
			l[corev1.ResourceCPU] = resource.MustParse(odd[rng.Intn(len(odd))])
		}
		if rng.Intn(8) == 0 {
			return nil
		}
		return l
	}
	return podShape(rng.Intn, list)
}

// podShape builds a pod from choices (n(k) picks one of 0..k-1) and a
// source of resource lists: containers, init containers (plain and
// restartable sidecars), their statuses (allocated and applied resources),
// overhead, pod-level resources and resize conditions.
func podShape(n func(int) int, list func() corev1.ResourceList) *corev1.Pod {
	pod := &corev1.Pod{}
	for i := range 1 + n(4) {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: fmt.Sprintf("c%d", i), Resources: corev1.ResourceRequirements{Requests: list()}})
	}
	for i := range n(5) {
		c := corev1.Container{Name: fmt.Sprintf("i%d", i), Resources: corev1.ResourceRequirements{Requests: list()}}
		if n(2) == 0 {
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
		}
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, c)
	}
	status := func(c corev1.Container) corev1.ContainerStatus {
		cs := corev1.ContainerStatus{Name: c.Name}
		if n(2) == 0 {
			cs.AllocatedResources = list()
		}
		if n(2) == 0 {
			cs.Resources = &corev1.ResourceRequirements{Requests: list()}
		}
		return cs
	}
	for _, c := range pod.Spec.Containers {
		if n(3) > 0 {
			pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, status(c))
		}
	}
	for _, c := range pod.Spec.InitContainers {
		if n(3) > 0 {
			pod.Status.InitContainerStatuses = append(pod.Status.InitContainerStatuses, status(c))
		}
	}
	if n(4) == 0 {
		pod.Spec.Overhead = list()
	}
	if n(10) == 0 {
		pod.Spec.Resources = &corev1.ResourceRequirements{Requests: list()}
	}
	if n(8) == 0 {
		reason := []string{corev1.PodReasonInfeasible, corev1.PodReasonDeferred}[n(2)]
		pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: corev1.PodResizePending, Status: corev1.ConditionTrue, Reason: reason})
	}
	return pod
}

func TestPodRequestsEqualTheSchedulerHelper(t *testing.T) {
	r := newResources([]string{"cpu", "memory", "nvidia.com/gpu", "hugepages-2Mi", "pods", "ephemeral-storage"})
	rng := rand.New(rand.NewSource(7))
	fast := 0
	const pods = 5000
	for i := range pods {
		p := randomPod(rng)
		// Each on its own copy: the helper may change the pod's decimal
		// quantities in place (copies of a Quantity share its inf.Dec).
		want := r.milli(resourcehelper.PodRequests(p.DeepCopy(), requestOptions))
		got := r.podRequests(p.DeepCopy())
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pod %d: got %v, want %v\n%+v", i, got, want, p)
		}
		if _, ok := r.fastRequests(p.DeepCopy()); ok {
			fast++
		}
	}
	// Most pods must take the fast path, or the test proves little.
	if fast < pods/2 {
		t.Fatalf("only %d of %d pods took the fast path", fast, pods)
	}
	t.Logf("%d of %d pods on the fast path", fast, pods)
}

func TestFastRequestsLeavesOddPodsToTheHelper(t *testing.T) {
	r := newResources([]string{"cpu"})
	for name, p := range map[string]*corev1.Pod{
		"sub-milli":  pod("ns", "p", "n", "0.5m", corev1.PodRunning),
		"pod-level":  {Spec: corev1.PodSpec{Resources: &corev1.ResourceRequirements{Requests: rl("cpu", "1")}}},
		"infeasible": {Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodResizePending, Reason: corev1.PodReasonInfeasible}}}},
	} {
		if _, ok := r.fastRequests(p.DeepCopy()); ok {
			t.Errorf("%s: took the fast path", name)
		}
	}
}

// BenchmarkTransformPod is one pod as a 1.37 kubelet reports it (allocated
// and applied resources in its container statuses) through the transform.
func BenchmarkTransformPod(b *testing.B) {
	p := pod("ns", "p", "n", "250m", corev1.PodRunning)
	p.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("512Mi")
	p.Spec.Containers = append(p.Spec.Containers, ctr("envoy", rl("cpu", "100m", "memory", "128Mi")))
	p.Spec.InitContainers = []corev1.Container{ctr("init", rl("cpu", "500m", "memory", "256Mi"))}
	for _, c := range p.Spec.Containers {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name,
			AllocatedResources: c.Resources.Requests, Resources: &corev1.ResourceRequirements{Requests: c.Resources.Requests}})
	}
	r := newResources([]string{"cpu", "pods"})
	b.ReportAllocs()
	for b.Loop() {
		_, _ = r.transformPod(p)
	}
}
