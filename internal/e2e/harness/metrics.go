package harness

import (
	"context"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// metrics-server in the test bed, wired as kwokctl's binary runtime wires
// it, outside any pod network:
//
//   - kube-apiserver runs the aggregation layer: it presents a front-proxy
//     client certificate to aggregated API servers and passes the user on in
//     X-Remote-* headers, which they trust by the front-proxy CA;
//   - metrics-server runs as a process on 127.0.0.1, authenticated as its
//     ServiceAccount's user name (a client certificate), so the upstream RBAC
//     applies as it is; it scrapes each node's kubelet endpoint (the node's
//     InternalIP 127.0.0.1 and status port) and verifies it by the cluster CA;
//   - kwok serves the kubelet's /metrics/resource for every node at
//     /metrics/nodes/<node>/metrics/resource on its --node-port (TLS), which
//     kwok's node stages write into each node's status; our stage
//     (testdata/e2e/kwok-node-metrics-path.yaml) annotates the path;
//   - the upstream manifests (manifests/base in the metrics-server module)
//     are applied without the Deployment, the Service turned into an
//     ExternalName for 127.0.0.1 and the APIService pointed at
//     metrics-server's port, trusting the cluster CA.

// Files in the PKI directory for the aggregation layer and metrics-server.
const (
	frontProxyCACertFile = "front-proxy-ca.crt"
	frontProxyCAKeyFile  = "front-proxy-ca.key"
	frontProxyCertFile   = "front-proxy-client.crt"
	frontProxyKeyFile    = "front-proxy-client.key"
	metricsCertFile      = "metrics-server.crt"
	metricsKeyFile       = "metrics-server.key"
	kwokCertFile         = "kwok.crt"
	kwokKeyFile          = "kwok.key"
)

// Names of the metrics-server wiring.
const (
	// frontProxyUser is the aggregator's client certificate CN, the only
	// name metrics-server accepts X-Remote-* headers from.
	frontProxyUser = "front-proxy-client"
	// MetricsNamespace and MetricsService name metrics-server's Service.
	MetricsNamespace = "kube-system"
	MetricsService   = "metrics-server"
	// MetricsAPIService is the APIService metrics-server backs.
	MetricsAPIService = "v1beta1.metrics.k8s.io"
	// metricsUser is the ServiceAccount user name the upstream RBAC binds.
	metricsUser = "system:serviceaccount:" + MetricsNamespace + ":" + MetricsService
	// MetricsResolution is metrics-server's scrape interval (the shipped
	// manifests' value; the binary's default is 60 s).
	MetricsResolution = "15s"
	// metricsKubeconfig is metrics-server's kubeconfig in the run directory.
	metricsKubeconfig = "kubeconfig-metrics-server"
)

// metricsManifests are the upstream files applied (not deployment.yaml:
// metrics-server runs as a process).
var metricsManifests = []string{
	"manifests/base/rbac.yaml",
	"manifests/base/service.yaml",
	"manifests/base/apiservice.yaml",
}

var apiServiceResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// runsMetrics tells whether the size runs metrics-server (every size with
// kwok nodes).
func (s Size) runsMetrics() bool { return s.atLeast(SizeFull) }

// writeMetricsPKI issues the aggregation layer's and metrics-server's
// certificates and metrics-server's kubeconfig.
func (c *Cluster) writeMetricsPKI(p *pki) error {
	fp, err := newCA(p.dir, "eks-node-viewer-e2e-front-proxy-ca", frontProxyCACertFile, frontProxyCAKeyFile)
	if err != nil {
		return err
	}
	if err := fp.writePair(frontProxyCertFile, frontProxyKeyFile, pkix.Name{CommonName: frontProxyUser}, false); err != nil {
		return err
	}
	// The aggregator dials 127.0.0.1 (the ExternalName) and verifies the
	// service's DNS name.
	svcDNS := MetricsService + "." + MetricsNamespace + ".svc"
	if err := p.writePair(metricsCertFile, metricsKeyFile, pkix.Name{CommonName: svcDNS}, true, svcDNS); err != nil {
		return err
	}
	if err := p.writePair(kwokCertFile, kwokKeyFile, pkix.Name{CommonName: "kwok"}, true); err != nil {
		return err
	}
	crt, key, err := p.issue(pkix.Name{CommonName: metricsUser, Organization: []string{"system:serviceaccounts", "system:serviceaccounts:" + MetricsNamespace}}, false)
	if err != nil {
		return err
	}
	return writeKubeconfig(filepath.Join(c.Dir, metricsKubeconfig), c.Server, p.caPEM, crt, key, metricsUser)
}

// aggregationArgs are kube-apiserver's flags for the aggregation layer.
func aggregationArgs(pkiDir string) []string {
	return []string{
		"--requestheader-client-ca-file=" + filepath.Join(pkiDir, frontProxyCACertFile),
		"--requestheader-allowed-names=" + frontProxyUser,
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + filepath.Join(pkiDir, frontProxyCertFile),
		"--proxy-client-key-file=" + filepath.Join(pkiDir, frontProxyKeyFile),
	}
}

// kwokMetricsArgs make kwok serve the kubelet endpoints over TLS on its
// port and write that port into the nodes' status.
func (c *Cluster) kwokMetricsArgs() []string {
	pki := filepath.Join(c.Dir, "pki")
	return []string{
		"--node-port=" + strconv.Itoa(c.ports["kwok"]),
		"--tls-cert-file=" + filepath.Join(pki, kwokCertFile),
		"--tls-private-key-file=" + filepath.Join(pki, kwokKeyFile),
	}
}

// startMetricsServer applies the upstream manifests, runs metrics-server
// and waits until the APIService is Available. The first samples come one
// or two resolutions later (metrics-server needs two scrapes for a rate).
func (c *Cluster) startMetricsServer(ctx context.Context) error {
	objs, err := c.metricsObjects(ctx)
	if err != nil {
		return err
	}
	if err := c.Apply(ctx, objs); err != nil {
		return err
	}
	pki := filepath.Join(c.Dir, "pki")
	kubeconfig := filepath.Join(c.Dir, metricsKubeconfig)
	port := c.ports["metrics-server"]
	p, err := c.run(BinMetricsServer, []string{
		"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(port),
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--tls-cert-file=" + filepath.Join(pki, metricsCertFile),
		"--tls-private-key-file=" + filepath.Join(pki, metricsKeyFile),
		"--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
		"--kubelet-use-node-status-port",
		// kwok's serving certificate is the cluster CA's, for 127.0.0.1:
		// verified, unlike kwokctl's --kubelet-insecure-tls.
		"--kubelet-certificate-authority=" + filepath.Join(pki, caCertFile),
		"--metric-resolution=" + MetricsResolution,
		"--profiling=false",
	}, nil)
	if err != nil {
		return err
	}
	if err := c.waitFor(ctx, "metrics-server", p, func(ctx context.Context) error {
		return httpOK(ctx, fmt.Sprintf("https://127.0.0.1:%d/livez", port), "ok")
	}); err != nil {
		return err
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return err
	}
	return c.waitFor(ctx, "apiservice "+MetricsAPIService, p, func(ctx context.Context) error {
		as, err := dyn.Resource(apiServiceResource).Get(ctx, MetricsAPIService, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !conditionTrue(as, "Available") {
			return fmt.Errorf("not Available: %v", as.Object["status"])
		}
		return nil
	})
}

// metricsObjects reads the upstream manifests and adapts them to a
// metrics-server process on 127.0.0.1.
func (c *Cluster) metricsObjects(ctx context.Context) ([]*unstructured.Unstructured, error) {
	dir, err := moduleDirIn(ctx, "metrics-server", "sigs.k8s.io/metrics-server")
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(filepath.Join(c.Dir, "pki", caCertFile))
	if err != nil {
		return nil, err
	}
	port := int64(c.ports["metrics-server"])
	var out []*unstructured.Unstructured
	for _, f := range metricsManifests {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("metrics-server manifests: %w", err)
		}
		objs, err := DecodeYAML(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, o := range objs {
			if err := adaptMetricsObject(o, port, ca); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
		out = append(out, objs...)
	}
	return out, nil
}

// adaptMetricsObject labels o as the upstream kustomization does and points
// the Service and the APIService at the process.
func adaptMetricsObject(o *unstructured.Unstructured, port int64, caPEM []byte) error {
	labels := o.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels["k8s-app"] = "metrics-server"
	o.SetLabels(labels)
	switch o.GetKind() {
	case "Service":
		if err := unstructured.SetNestedField(o.Object, "ExternalName", "spec", "type"); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(o.Object, "127.0.0.1", "spec", "externalName"); err != nil {
			return err
		}
		return unstructured.SetNestedSlice(o.Object, []any{map[string]any{
			"name": "https", "port": port, "targetPort": port, "protocol": "TCP", "appProtocol": "https",
		}}, "spec", "ports")
	case "APIService":
		unstructured.RemoveNestedField(o.Object, "spec", "insecureSkipTLSVerify")
		if err := unstructured.SetNestedField(o.Object, base64.StdEncoding.EncodeToString(caPEM), "spec", "caBundle"); err != nil {
			return err
		}
		return unstructured.SetNestedField(o.Object, port, "spec", "service", "port")
	}
	return nil
}
