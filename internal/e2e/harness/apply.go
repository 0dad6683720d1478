package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// DecodeYAML splits a multi-document YAML (or JSON) stream into objects.
func DecodeYAML(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("decode yaml: %w", err)
		}
		if len(obj) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: obj})
	}
}

// Apply creates the objects (in order); ones that already exist are left
// as they are. It discovers the API afresh, so CRDs created just before
// are known.
func (c *Cluster) Apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	dyn, err := c.Dynamic()
	if err != nil {
		return err
	}
	groups, err := restmapper.GetAPIGroupResources(c.client.Discovery())
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	mapper := restmapper.NewDiscoveryRESTMapper(groups)
	saReady := map[string]bool{}
	for _, obj := range objs {
		if obj.GetKind() == "Pod" && c.Size.atLeast(SizeFull) && !saReady[obj.GetNamespace()] {
			// The ServiceAccount admission plugin rejects pods until the
			// controller-manager made the namespace's `default` account.
			if err := c.waitServiceAccount(ctx, obj.GetNamespace()); err != nil {
				return err
			}
			saReady[obj.GetNamespace()] = true
		}
		gvk := obj.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return fmt.Errorf("map %s: %w", gvk, err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			ns := obj.GetNamespace()
			if ns == "" {
				ns = "default"
			}
			ri = dyn.Resource(m.Resource).Namespace(ns)
		}
		if _, err := ri.Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create %s %s: %w", gvk.Kind, obj.GetName(), err)
		}
	}
	return nil
}

// ApplyFiles applies the YAML files in order.
func (c *Cluster) ApplyFiles(ctx context.Context, paths ...string) ([]*unstructured.Unstructured, error) {
	var all []*unstructured.Unstructured
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		objs, err := DecodeYAML(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, objs...)
	}
	return all, c.Apply(ctx, all)
}

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// InstallCRDs creates the CRDs in the files and waits until they are
// Established.
func (c *Cluster) InstallCRDs(ctx context.Context, paths ...string) error {
	objs, err := c.ApplyFiles(ctx, paths...)
	if err != nil {
		return err
	}
	dyn, err := c.Dynamic()
	if err != nil {
		return err
	}
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" {
			continue
		}
		name := o.GetName()
		if err := c.waitFor(ctx, "CRD "+name, nil, func(ctx context.Context) error {
			crd, err := dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if conditionTrue(crd, "Established") {
				return nil
			}
			return fmt.Errorf("not established")
		}); err != nil {
			return err
		}
	}
	return nil
}

// conditionTrue reads status.conditions[type=t].status == "True".
func conditionTrue(obj *unstructured.Unstructured, t string) bool {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == t {
			return m["status"] == "True"
		}
	}
	return false
}

func (c *Cluster) waitServiceAccount(ctx context.Context, ns string) error {
	if ns == "" {
		ns = "default"
	}
	return c.waitFor(ctx, "serviceaccount "+ns+"/default", nil, func(ctx context.Context) error {
		_, err := c.client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

// Dynamic is a dynamic client for the cluster's admin.
func (c *Cluster) Dynamic() (dynamic.Interface, error) {
	cfg, err := c.RESTConfig()
	if err != nil {
		return nil, err
	}
	return dynamic.NewForConfig(cfg)
}
