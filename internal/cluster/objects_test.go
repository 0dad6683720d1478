package cluster

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func rl(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func ctr(name string, requests corev1.ResourceList) corev1.Container {
	return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Requests: requests}}
}

func TestPodRequestsMatchTheScheduler(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	sidecar := func(name string, req corev1.ResourceList) corev1.Container {
		c := ctr(name, req)
		c.RestartPolicy = &always
		return c
	}
	tests := []struct {
		name           string
		spec           corev1.PodSpec
		status         corev1.PodStatus
		wantCPU, wantM int64 // milli-cpu, MiB
	}{
		{"sum of containers", corev1.PodSpec{Containers: []corev1.Container{ctr("a", rl("cpu", "200m", "memory", "64Mi")), ctr("b", rl("cpu", "300m"))}}, corev1.PodStatus{}, 500, 64},
		{"no requests", corev1.PodSpec{Containers: []corev1.Container{ctr("a", nil)}}, corev1.PodStatus{}, 0, 0},
		{"largest init container wins", corev1.PodSpec{
			InitContainers: []corev1.Container{ctr("init", rl("cpu", "2"))},
			Containers:     []corev1.Container{ctr("a", rl("cpu", "500m"))},
		}, corev1.PodStatus{}, 2000, 0},
		{"init smaller than app", corev1.PodSpec{
			InitContainers: []corev1.Container{ctr("init", rl("cpu", "100m"))},
			Containers:     []corev1.Container{ctr("a", rl("cpu", "500m"))},
		}, corev1.PodStatus{}, 500, 0},
		{"native sidecar adds to the app", corev1.PodSpec{
			InitContainers: []corev1.Container{sidecar("mesh", rl("cpu", "100m", "memory", "32Mi"))},
			Containers:     []corev1.Container{ctr("a", rl("cpu", "500m", "memory", "64Mi"))},
		}, corev1.PodStatus{}, 600, 96},
		{"init after a sidecar counts the sidecar", corev1.PodSpec{
			InitContainers: []corev1.Container{sidecar("mesh", rl("cpu", "100m")), ctr("migrate", rl("cpu", "1"))},
			Containers:     []corev1.Container{ctr("a", rl("cpu", "200m"))},
		}, corev1.PodStatus{}, 1100, 0},
		{"overhead", corev1.PodSpec{Overhead: rl("cpu", "250m"), Containers: []corev1.Container{ctr("a", rl("cpu", "100m"))}}, corev1.PodStatus{}, 350, 0},
		{"pod-level resources win", corev1.PodSpec{
			Resources:  &corev1.ResourceRequirements{Requests: rl("cpu", "1", "memory", "1Gi")},
			Containers: []corev1.Container{ctr("a", rl("cpu", "100m"))},
		}, corev1.PodStatus{}, 1000, 1024},
		{"in-place resize in progress: the larger of spec and status", corev1.PodSpec{
			Containers: []corev1.Container{ctr("a", rl("cpu", "100m"))},
		}, corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "a", Resources: &corev1.ResourceRequirements{Requests: rl("cpu", "400m")}}}}, 400, 0},
	}
	r := newResources([]string{"cpu", "memory", "pods"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := r.transformPod(&corev1.Pod{Spec: tt.spec, Status: tt.status})
			p := out.(*podObj)
			if p.req[0] != tt.wantCPU {
				t.Errorf("cpu = %dm, want %dm", p.req[0], tt.wantCPU)
			}
			if got := p.req[1] / 1000 / (1 << 20); got != tt.wantM {
				t.Errorf("memory = %dMi, want %dMi", got, tt.wantM)
			}
			if p.req[2] != 1000 {
				t.Errorf("pods = %d, want one pod (1000 milli)", p.req[2])
			}
		})
	}
}

func TestTransformsAreIdempotent(t *testing.T) {
	r := newResources([]string{"cpu"})
	p, _ := r.transformPod(&corev1.Pod{})
	if again, _ := r.transformPod(p); again != p {
		t.Error("pod transform not idempotent")
	}
	n, _ := r.transformNode(&corev1.Node{})
	if again, _ := r.transformNode(n); again != n {
		t.Error("node transform not idempotent")
	}
}

func TestNodeParsing(t *testing.T) {
	r := newResources([]string{"cpu", "pods"})
	tests := []struct {
		name                string
		node                corev1.Node
		cordoned, ready, ok bool
	}{
		{"plain ready", corev1.Node{Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}, false, true, true},
		{"unschedulable", corev1.Node{Spec: corev1.NodeSpec{Unschedulable: true}}, true, false, true},
		{"karpenter v1 disrupted taint", corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "karpenter.sh/disrupted", Effect: corev1.TaintEffectNoSchedule}}}}, true, false, true},
		{"karpenter v1beta1 disruption taint", corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "karpenter.sh/disruption", Value: "disrupting", Effect: corev1.TaintEffectNoSchedule}}}}, true, false, true},
		{"other NoSchedule taint is not cordoned", corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Effect: corev1.TaintEffectNoSchedule}}}}, false, false, true},
		{"disrupted PreferNoSchedule is not cordoned", corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "karpenter.sh/disrupted", Effect: corev1.TaintEffectPreferNoSchedule}}}}, false, false, true},
		{"not ready", corev1.Node{Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}}}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := r.transformNode(&tt.node)
			n := out.(*nodeObj)
			if n.cordoned != tt.cordoned || n.ready != tt.ready {
				t.Errorf("cordoned=%v ready=%v, want %v %v", n.cordoned, n.ready, tt.cordoned, tt.ready)
			}
		})
	}
}
