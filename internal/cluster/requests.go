package cluster

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// requestOptions are how the scheduler counts a pod: with in-place resizes,
// the larger of what is asked and what the kubelet allocated or applied.
var requestOptions = resourcehelper.PodResourcesOptions{UseStatusResources: true}

// podRequests returns the pod's effective requests of the tracked resources
// in milli-units: resourcehelper.PodRequests(pod, requestOptions) converted
// with satMilli, computed per tracked resource on saturating integers
// instead of on resource lists (which cost more than decoding the pod).
// Saturating sums and maxima of non-negative values equal the saturated
// exact result, so the two agree over the whole quantity range. Pods it does
// not handle exactly (pod-level resources, an infeasible resize, quantities
// finer than a milli-unit or negative) are left to the helper.
func (r resources) podRequests(pod *corev1.Pod) []int64 {
	if req, ok := r.fastRequests(pod); ok {
		return req
	}
	return r.milli(resourcehelper.PodRequests(tamed(pod), requestOptions))
}

// The three views of a container's requests the helper takes the maximum
// of: its spec, what the kubelet allocated, and what it applied.
const (
	viewSpec = iota
	viewAllocated
	viewActuated
	views
)

// aggregate is the sidecar-aware sum of one view: regular and restartable
// init containers add up; an init container needs its own requests plus the
// restartable ones started before it, and the pod needs the largest of that.
type aggregate struct {
	sum, sidecars, initMax []int64
}

func (r resources) fastRequests(pod *corev1.Pod) ([]int64, bool) {
	if pod.Spec.Resources != nil || resourcehelper.IsPodResizeInfeasible(pod) {
		return nil, false
	}
	n := len(r.names)
	// One allocation for the scratch vectors below (three per view, the
	// view values and the overhead), garbage once the result is made; the
	// result is its own small slice, since the pod's record keeps it (a
	// slice of the scratch would keep all of it: 14 vectors a pod).
	buf := make([]int64, (4*views+1)*n)
	vec := func() []int64 { v := buf[:n:n]; buf = buf[n:]; return v }
	var agg [views]aggregate
	for v := range agg {
		agg[v] = aggregate{sum: vec(), sidecars: vec(), initMax: vec()}
	}
	var vals [views][]int64
	for v := range vals {
		vals[v] = vec()
	}

	// load reads a resource list into dst (zero where absent).
	load := func(dst []int64, list corev1.ResourceList) bool {
		for i, name := range r.names {
			dst[i] = 0
			if q, ok := list[corev1.ResourceName(name)]; ok {
				m, exact := exactMilli(q)
				if !exact {
					return false
				}
				dst[i] = m
			}
		}
		return true
	}
	// readViews fills vals with the container's spec, allocated and actuated
	// requests, as the helper's container functions pick them.
	readViews := func(c *corev1.Container) bool {
		if !load(vals[viewSpec], c.Resources.Requests) {
			return false
		}
		cs := findContainerStatus(pod, c.Name)
		alloc := vals[viewSpec]
		if cs != nil && cs.AllocatedResources != nil {
			if !load(vals[viewAllocated], cs.AllocatedResources) {
				return false
			}
			alloc = vals[viewAllocated]
		} else {
			copy(vals[viewAllocated], alloc)
		}
		if cs != nil && cs.Resources != nil && cs.Resources.Requests != nil {
			return load(vals[viewActuated], cs.Resources.Requests)
		}
		copy(vals[viewActuated], alloc)
		return true
	}

	for i := range pod.Spec.Containers {
		if !readViews(&pod.Spec.Containers[i]) {
			return nil, false
		}
		for v := range agg {
			addTo(agg[v].sum, vals[v])
		}
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if !readViews(c) {
			return nil, false
		}
		restartable := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		for v := range agg {
			a := &agg[v]
			for k, x := range vals[v] {
				use := satAdd(x, a.sidecars[k])
				if restartable {
					a.sum[k] = satAdd(a.sum[k], x)
					a.sidecars[k] = use
				}
				a.initMax[k] = max(a.initMax[k], use)
			}
		}
	}

	out := make([]int64, n)
	for k := range out {
		for v := range agg {
			out[k] = max(out[k], agg[v].sum[k], agg[v].initMax[k])
		}
	}
	if pod.Spec.Overhead != nil {
		overhead := vec()
		if !load(overhead, pod.Spec.Overhead) {
			return nil, false
		}
		addTo(out, overhead)
	}
	return out, true
}

func addTo(dst, src []int64) {
	for i, x := range src {
		dst[i] = satAdd(dst[i], x)
	}
}

// exactMilli is q in milli-units (saturated), and whether the fast path may
// sum it: a value finer than a milli-unit rounds up on its own but not
// within a sum, and a negative one would not sum as a saturated value.
func exactMilli(q resource.Quantity) (int64, bool) {
	sign := q.Sign()
	if sign <= 0 {
		return 0, sign == 0
	}
	class, abs := magnitudeAbs(&q)
	switch class {
	case huge:
		return math.MaxInt64, true // saturated, exact or not
	case tiny:
		return 0, false
	}
	if !q.RoundUp(resource.Milli) {
		return 0, false
	}
	return satMilliOf(&q, class, abs), true
}

// Stand-ins for quantities too large or too small to compute with: they
// count the same in any sum of non-negative requests (see magnitude).
var (
	hugeQuantity = *resource.NewScaledQuantity(1, 25)
	tinyQuantity = *resource.NewScaledQuantity(1, -12)
)

// tamed returns pod, or a copy of it with every huge or tiny quantity
// replaced by its stand-in, which the helper computes with in bounded time.
func tamed(pod *corev1.Pod) *corev1.Pod {
	var lists []corev1.ResourceList
	collect := func(reqs ...*corev1.ResourceRequirements) {
		for _, r := range reqs {
			if r != nil {
				lists = append(lists, r.Requests, r.Limits)
			}
		}
	}
	visit := func(p *corev1.Pod) {
		lists = lists[:0]
		for i := range p.Spec.Containers {
			collect(&p.Spec.Containers[i].Resources)
		}
		for i := range p.Spec.InitContainers {
			collect(&p.Spec.InitContainers[i].Resources)
		}
		collect(p.Spec.Resources)
		lists = append(lists, p.Spec.Overhead)
		for _, st := range [][]corev1.ContainerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses} {
			for i := range st {
				lists = append(lists, st[i].AllocatedResources)
				collect(st[i].Resources)
			}
		}
		collect(p.Status.Resources)
	}
	extreme := func(q resource.Quantity) bool { return magnitude(&q) != normal }
	visit(pod)
	found := false
	for _, l := range lists {
		for _, q := range l {
			found = found || extreme(q)
		}
	}
	if !found {
		return pod
	}
	pod = pod.DeepCopy()
	visit(pod)
	for _, l := range lists {
		for name, q := range l {
			switch magnitude(&q) {
			case huge:
				l[name] = signed(hugeQuantity, q.Sign())
			case tiny:
				l[name] = signed(tinyQuantity, q.Sign())
			}
		}
	}
	return pod
}

func signed(q resource.Quantity, sign int) resource.Quantity {
	if sign < 0 {
		q.Neg()
	}
	return q
}

// findContainerStatus finds a container's status by name, regular
// containers first, as the helper does.
func findContainerStatus(pod *corev1.Pod, name string) *corev1.ContainerStatus {
	for i := range pod.Status.ContainerStatuses {
		if pod.Status.ContainerStatuses[i].Name == name {
			return &pod.Status.ContainerStatuses[i]
		}
	}
	for i := range pod.Status.InitContainerStatuses {
		if pod.Status.InitContainerStatuses[i].Name == name {
			return &pod.Status.InitContainerStatuses[i]
		}
	}
	return nil
}
