package cluster

import "k8s.io/apimachinery/pkg/api/resource"

func parseQuantity(s string) (resource.Quantity, error) { return resource.ParseQuantity(s) }
