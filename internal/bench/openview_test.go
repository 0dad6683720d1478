package main

import (
	"slices"
	"testing"
)

// Screens as tmux captured them from the viewer at 200 columns (bars and
// blank lines shortened): the last page of the list with the cursor on the
// last node, and that node's view.
const (
	listScreen3 = `500 nodes (5,149.01/9,927.5 cores) 51.9% cpu █████████████████████░░░░░░░░░░░░░░░░░░░ >=$332.016/hour | >=$242,371.680/month
9,800 pods (0 pending 9,800 running 9,800 bound)

  ip-10-0-1-241.us-west-2.compute.internal cpu █████████████████████░░░  71% ◐ (20/234 pods) c6i.4xlarge/~$0.6800 On-Demand - Ready
  ip-10-0-1-242.us-west-2.compute.internal cpu ████████████████████░░░░  70% ◐ (20/234 pods) r6i.4xlarge/?        Spot      - Ready
> ip-10-0-1-243.us-west-2.compute.internal cpu ████████░░░░░░░░░░░░░░░░  31% ○ (20/234 pods) m6i.8xlarge/~$1.5360 On-Demand - Ready
no Karpenter NodeClaims (karpenter.sh/v1 not served) • no credentials: showing static us-east-1 prices
○○○○○○○○○○○•
↑/↓ select • ←/→ page • enter open • p pending (0) • / filter • ? help • q quit`

	nodeScreen = `ip-10-0-1-243.us-west-2.compute.internal  m6i.8xlarge  us-west-2d  On-Demand  ~$1.5360/hour (estimate: us-east-1 list price)  age 4m35s  Ready
nodepool default · nodeclaim -
taints: node.kubernetes.io/not-ready:NoSchedule
cpu 9.8/31.75 cores 31% ███░░░░░░░ · pods 20/234

POD                               CPU↓  %NODE  PHASE    AGE    OWNER
team-19/svc-299-7f9c8e2b-004499  1068m    3%   Running  4m13s  ReplicaSet/svc-299-7f9c8e2b
team-19/svc-299-7f9c8e2b-002999   768m    2%   Running  4m19s  ReplicaSet/svc-299-7f9c8e2b
team-19/svc-99-7f9c8d63-005499    143m   <1%   Running  4m4s   ReplicaSet/svc-99-7f9c8d63
esc back • s sort (cpu) • ? help • q quit`
)

func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		name     string
		screen   string
		nodes    []string
		selected int
	}{
		{"last page", listScreen3, []string{
			"ip-10-0-1-241.us-west-2.compute.internal",
			"ip-10-0-1-242.us-west-2.compute.internal",
			"ip-10-0-1-243.us-west-2.compute.internal",
		}, 2},
		// The node view names its node at the left margin, not as a row.
		{"node view", nodeScreen, nil, -1},
		{"two resources, cursor on the first node", `3 nodes (1/2 cores)
> ip-10-0-0-0.us-west-2.compute.internal cpu    ░░░░   0% ○ (0/58 pods)
  ip-10-0-0-0.us-west-2.compute.internal memory ░░░░   0%
  ip-10-0-0-1.us-west-2.compute.internal cpu    ██░░  50% ◐ (3/58 pods)
  ip-10-0-0-1.us-west-2.compute.internal memory █░░░  25%
  not-a-bench-node cpu ░░░░ 0%`, []string{
			"ip-10-0-0-0.us-west-2.compute.internal",
			"ip-10-0-0-1.us-west-2.compute.internal",
		}, 0},
	} {
		got := parseList(tc.screen)
		if !slices.Equal(got.nodes, tc.nodes) || got.selected != tc.selected {
			t.Errorf("%s: got %q selected %d, want %q selected %d", tc.name, got.nodes, got.selected, tc.nodes, tc.selected)
		}
	}
}

func TestBenchNodeNamesAreRows(t *testing.T) {
	for _, i := range []int{0, 499, 4999, 70000} {
		if !benchNodeRe.MatchString(nodeName(i)) {
			t.Errorf("benchNodeRe does not match nodeName(%d) = %s", i, nodeName(i))
		}
	}
}

func TestPodsOf(t *testing.T) {
	got := podsOf(499, size{500, 10000})
	if len(got) != 20 || got[0] != "team-19/svc-199-7f9c8dc7-000499" || got[19] != "team-19/svc-99-7f9c8d63-009999" {
		t.Fatalf("podsOf(499) = %d pods %q ... %q", len(got), got[0], got[len(got)-1])
	}
	if got := podsOf(3, size{4, 3}); len(got) != 0 {
		t.Errorf("node 3 of 4 with 3 pods has %q", got)
	}
}

func TestPodsShown(t *testing.T) {
	pods := podsOf(499, size{500, 10000})
	if n := podsShown(nodeScreen, pods); n != 3 {
		t.Errorf("%d of node 499's pods on its view, want 3", n)
	}
	if n := podsShown(listScreen3, pods); n != 0 {
		t.Errorf("%d pods on the list", n)
	}
	// Another node's pods are not this node's.
	if n := podsShown(nodeScreen, podsOf(498, size{500, 10000})); n != 0 {
		t.Errorf("%d of node 498's pods on node 499's view", n)
	}
}
