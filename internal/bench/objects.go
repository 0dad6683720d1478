package main

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	resourcehelper "k8s.io/component-helpers/resource"
)

// The objects below are shaped like the ones a real EKS cluster serves (a
// few KB each): nodes with the usual well-known labels, a providerID,
// conditions, addresses and an image list; pods with 1-3 containers, an init
// container on some, env, probes, volumes, an owner and a Running status.

const (
	// orderLabel marks the first latencyNodes nodes ("000", "001", ...), so
	// that `--node-sort orderLabel=asc` lists them first on screen.
	orderLabel = "bench.eks-node-viewer/order"
	// namespaces are spread over this many namespaces.
	namespaces = 20
	// churnPrefix names the pods the churn phase creates and deletes.
	churnPrefix = "churn-"
)

var (
	instanceTypes = []struct {
		name        string
		cpu, memory string
		pods        string
	}{
		// Sized so that ~20 pods of the mix below fill a node 30-70%.
		{"m5.4xlarge", "15890m", "57632Mi", "234"},
		{"c6i.4xlarge", "15890m", "27808Mi", "234"},
		{"r6i.4xlarge", "15890m", "120660Mi", "234"},
		{"m6i.8xlarge", "31750m", "120660Mi", "234"},
	}
	zones = []string{"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}
)

// nodeName is the name of node i.
func nodeName(i int) string {
	return fmt.Sprintf("ip-10-%d-%d-%d.us-west-2.compute.internal", i/65536, i/256%256, i%256)
}

func namespaceName(i int) string { return fmt.Sprintf("team-%02d", i%namespaces) }

// podNode is the node pod i is bound to: pods are dealt round-robin.
func podNode(i, nodes int) int { return i % nodes }

func makeNode(i int, created time.Time) *corev1.Node {
	it := instanceTypes[i%len(instanceTypes)]
	zone := zones[i%len(zones)]
	capacity := "on-demand"
	if i%3 == 0 {
		capacity = "spot"
	}
	name := nodeName(i)
	family, instSize, _ := strings.Cut(it.name, ".")
	id := fmt.Sprintf("i-0%016x", uint64(i)*2654435761+0x5ca1ab1e)
	labels := map[string]string{
		"beta.kubernetes.io/arch":                  "amd64",
		"beta.kubernetes.io/instance-type":         it.name,
		"beta.kubernetes.io/os":                    "linux",
		"failure-domain.beta.kubernetes.io/region": "us-west-2",
		"failure-domain.beta.kubernetes.io/zone":   zone,
		"k8s.io/cloud-provider-aws":                "b69b7e2f1e5d4c3a",
		"karpenter.k8s.aws/instance-category":      it.name[:1],
		"karpenter.k8s.aws/instance-family":        family,
		"karpenter.k8s.aws/instance-size":          instSize,
		"karpenter.sh/capacity-type":               capacity,
		"karpenter.sh/initialized":                 "true",
		"karpenter.sh/nodepool":                    poolOf(i),
		"karpenter.sh/registered":                  "true",
		"kubernetes.io/arch":                       "amd64",
		"kubernetes.io/hostname":                   name,
		"kubernetes.io/os":                         "linux",
		"node.kubernetes.io/instance-type":         it.name,
		"topology.k8s.aws/zone-id":                 "usw2-az" + zone[len(zone)-1:],
		"topology.kubernetes.io/region":            "us-west-2",
		"topology.kubernetes.io/zone":              zone,
	}
	if i < latencyNodes {
		labels[orderLabel] = fmt.Sprintf("%03d", i)
	}
	alloc := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse(it.cpu),
		corev1.ResourceMemory:           resource.MustParse(it.memory),
		corev1.ResourcePods:             resource.MustParse(it.pods),
		corev1.ResourceEphemeralStorage: resource.MustParse("95551679124"),
		"hugepages-1Gi":                 resource.MustParse("0"),
		"hugepages-2Mi":                 resource.MustParse("0"),
	}
	since := metav1.NewTime(created)
	cond := func(t corev1.NodeConditionType, status corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: status, LastHeartbeatTime: since, LastTransitionTime: since, Reason: reason, Message: msg}
	}
	var images []corev1.ContainerImage
	for k := range 8 {
		images = append(images, corev1.ContainerImage{
			Names: []string{
				fmt.Sprintf("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/component-%d@sha256:%064x", k, k*7919+1),
				fmt.Sprintf("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/component-%d:v1.%d.%d-eksbuild.1", k, k+20, k),
			},
			SizeBytes: int64(30_000_000 + k*4_000_000),
		})
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:   name,
			Labels: labels,
			Annotations: map[string]string{
				"alpha.kubernetes.io/provided-node-ip":                   fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256),
				"karpenter.k8s.aws/ec2nodeclass-hash":                    "15616957348189460630",
				"karpenter.sh/nodepool-hash":                             "12028663807258658692",
				"node.alpha.kubernetes.io/ttl":                           "0",
				"volumes.kubernetes.io/controller-managed-attach-detach": "true",
			},
		},
		Spec: corev1.NodeSpec{ProviderID: fmt.Sprintf("aws:///%s/%s", zone, id)},
		Status: corev1.NodeStatus{
			Capacity:    alloc,
			Allocatable: alloc,
			Conditions: []corev1.NodeCondition{
				cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
				cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
				cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
				cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
			},
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256)},
				{Type: corev1.NodeHostName, Address: name},
				{Type: corev1.NodeInternalDNS, Address: name},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
			NodeInfo: corev1.NodeSystemInfo{
				MachineID: fmt.Sprintf("ec2%029x", i), SystemUUID: fmt.Sprintf("ec2%029x", i+1), BootID: fmt.Sprintf("%032x", i+2),
				KernelVersion: "6.1.119-129.201.amzn2023.x86_64", OSImage: "Amazon Linux 2023.6.20241212",
				ContainerRuntimeVersion: "containerd://1.7.23", KubeletVersion: "v1.37.2-eks-7f9249a",
				KubeProxyVersion: "v1.37.2-eks-7f9249a", OperatingSystem: "linux", Architecture: "amd64",
			},
			Images: images,
		},
	}
}

// podName is the name of pod i (in namespaceName(i)).
func podName(i int) string {
	return fmt.Sprintf("svc-%d-%x-%06d", i%300, 0x7f9c8d00+i%300, i)
}

func containerCount(i int) int { return 1 + i%3 }

func hasInit(i int) bool { return i%5 == 0 }

func makePod(i int, ns, name string, node string) *corev1.Pod {
	app := fmt.Sprintf("svc-%d", i%300)
	hash := fmt.Sprintf("%x", 0x7f9c8d00+i%300)
	env := func(k int) []corev1.EnvVar {
		return []corev1.EnvVar{
			{Name: "LOG_LEVEL", Value: "info"},
			{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: "http://otel-collector.observability:4317"},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
		}
	}
	mounts := []corev1.VolumeMount{
		{Name: "config", MountPath: "/etc/app", ReadOnly: true},
		{Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true},
	}
	var containers []corev1.Container
	var statuses []corev1.ContainerStatus
	started := metav1.NewTime(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	for k := range containerCount(i) {
		cname := []string{"app", "envoy", "log-shipper"}[k]
		cpu := fmt.Sprintf("%dm", 50+(i*7+k*13)%400)
		mem := fmt.Sprintf("%dMi", 64+(i*11+k*5)%960)
		containers = append(containers, corev1.Container{
			Name:  cname,
			Image: fmt.Sprintf("123456789012.dkr.ecr.us-west-2.amazonaws.com/%s/%s:2026.11.%d", app, cname, i%28),
			Args:  []string{"--config=/etc/app/config.yaml"},
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: int32(8080 + k), Protocol: corev1.ProtocolTCP}},
			Env:   env(k),
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mem)},
			},
			VolumeMounts:             mounts,
			TerminationMessagePath:   "/dev/termination-log",
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			ImagePullPolicy:          corev1.PullIfNotPresent,
		})
		if k == 0 {
			containers[0].ReadinessProbe = &corev1.Probe{
				ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}},
				PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3,
			}
		}
		statuses = append(statuses, corev1.ContainerStatus{
			Name:         cname,
			State:        corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}},
			Ready:        true,
			Started:      ptr(true),
			Image:        containers[k].Image,
			ImageID:      fmt.Sprintf("123456789012.dkr.ecr.us-west-2.amazonaws.com/%s/%s@sha256:%064x", app, cname, i%28+k),
			ContainerID:  fmt.Sprintf("containerd://%064x", uint64(i)*31+uint64(k)),
			RestartCount: 0,
			// What a kubelet with in-place resize (GA in 1.35) reports.
			AllocatedResources: containers[k].Resources.Requests,
			Resources:          containers[k].Resources.DeepCopy(),
		})
	}
	var inits []corev1.Container
	var initStatuses []corev1.ContainerStatus
	if hasInit(i) {
		inits = []corev1.Container{{
			Name:    "migrate",
			Image:   fmt.Sprintf("123456789012.dkr.ecr.us-west-2.amazonaws.com/%s/migrate:2026.11.%d", app, i%28),
			Command: []string{"/bin/migrate", "--wait-for-db"},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			},
			VolumeMounts: mounts,
		}}
		initStatuses = []corev1.ContainerStatus{{
			Name: "migrate", Ready: true, Image: inits[0].Image, ImageID: inits[0].Image + "@sha256:" + fmt.Sprintf("%064x", i),
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: started, FinishedAt: started}},
		}}
	}
	grace := int64(30)
	tokenTTL := int64(3607)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:    ns,
			Name:         name,
			GenerateName: app + "-" + hash + "-",
			Labels: map[string]string{
				"app.kubernetes.io/name":      app,
				"app.kubernetes.io/instance":  app + "-prod",
				"pod-template-hash":           hash,
				"app.kubernetes.io/component": "backend",
			},
			Annotations: map[string]string{
				"prometheus.io/scrape":                    "true",
				"kubectl.kubernetes.io/default-container": "app",
			},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-" + hash,
				UID: types.UID(fmt.Sprintf("3f1c2a9e-0000-4000-8000-%012d", i%300)), Controller: ptr(true), BlockOwnerDeletion: ptr(true),
			}},
		},
		Spec: corev1.PodSpec{
			NodeName:                      node,
			InitContainers:                inits,
			Containers:                    containers,
			RestartPolicy:                 corev1.RestartPolicyAlways,
			TerminationGracePeriodSeconds: &grace,
			DNSPolicy:                     corev1.DNSClusterFirst,
			ServiceAccountName:            "default",
			SecurityContext:               &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), FSGroup: ptr(int64(65534))},
			SchedulerName:                 "default-scheduler",
			Tolerations: []corev1.Toleration{
				{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))},
				{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))},
			},
			Volumes: []corev1.Volume{
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: app + "-config"}}}},
				{Name: "kube-api-access", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
					Sources: []corev1.VolumeProjection{
						{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{ExpirationSeconds: &tokenTTL, Path: "token"}},
						{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
						{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
					},
				}}},
			},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{
				{Type: "PodReadyToStartContainers", Status: corev1.ConditionTrue, LastTransitionTime: started},
				{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: started},
				{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: started},
				{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: started},
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: started},
			},
			HostIP:                "10.0.0.1",
			PodIP:                 fmt.Sprintf("10.%d.%d.%d", 128+i/65536%64, i/256%256, i%256),
			StartTime:             &started,
			QOSClass:              corev1.PodQOSBurstable,
			ContainerStatuses:     statuses,
			InitContainerStatuses: initStatuses,
		},
	}
}

// podCPU is the milli-CPU the scheduler reserves for a pod.
func podCPU(p *corev1.Pod) int64 {
	req := resourcehelper.PodRequests(p, resourcehelper.PodResourcesOptions{})
	return req.Cpu().MilliValue()
}

// nodeCPU is a node's allocatable milli-CPU.
func nodeCPU(n *corev1.Node) int64 { return n.Status.Allocatable.Cpu().MilliValue() }

func ptr[T any](v T) *T { return &v }
