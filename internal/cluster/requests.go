package cluster

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// requestOptions are how the scheduler counts a pod: with in-place resizes,
// the larger of what is asked and what the kubelet allocated or applied.
var requestOptions = resourcehelper.PodResourcesOptions{UseStatusResources: true}

// podRequests returns the pod's effective requests of the tracked resources
// in milli-units: resourcehelper.PodRequests(pod, requestOptions), computed
// per tracked resource on integers instead of on resource lists (which cost
// more than decoding the pod). Pods it does not handle exactly (pod-level
// resources, an infeasible resize, quantities finer than a milli-unit) are
// left to the helper.
func (r resources) podRequests(pod *corev1.Pod) []int64 {
	if req, ok := r.fastRequests(pod); ok {
		return req
	}
	return r.milli(resourcehelper.PodRequests(pod, requestOptions))
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
	// One allocation for every vector below: three per view, the view
	// values, the result and the overhead.
	buf := make([]int64, (4*views+2)*n)
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
				use := x + a.sidecars[k]
				if restartable {
					a.sum[k] += x
					a.sidecars[k] += x
					use = a.sidecars[k]
				}
				a.initMax[k] = max(a.initMax[k], use)
			}
		}
	}

	out := vec()
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
		dst[i] += x
	}
}

// maxExactMilli bounds the values summed as integers (far beyond any real
// request, far below an overflow).
const maxExactMilli = 1 << 53

// exactMilli is q in milli-units, and whether that is exact: a value finer
// than a milli-unit rounds up on its own but not within a sum.
func exactMilli(q resource.Quantity) (int64, bool) {
	if !q.RoundUp(resource.Milli) {
		return 0, false
	}
	m := q.MilliValue()
	return m, m >= 0 && m < maxExactMilli
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
