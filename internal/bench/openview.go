package main

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// nodeOpen is one opening of a node view.
type nodeOpen struct {
	node  string
	took  time.Duration // from sending enter to the first screen with its pods
	shown int           // of the node's pods, how many that screen showed
	pods  int
}

// openNodes opens the node view n times, alternately of the first node of
// the list (home) and of the last (end). The node is the one the list's
// cursor shows after the move; the timer starts as enter is sent and stops
// at the first capture that shows one of the pods the bench put on that
// node; esc then goes back to the list. Nothing else changes the cluster
// meanwhile.
func (o *ours) openNodes(s size, n int) ([]nodeOpen, error) {
	index := make(map[string]int, s.nodes)
	for i := range s.nodes {
		index[nodeName(i)] = i
	}
	var first string // the first node of the list, once seen
	home := func(l listScreen) bool { return l.selected == 0 && (first == "" || l.nodes[0] == first) }
	end := func(l listScreen) bool {
		return l.selected == len(l.nodes)-1 && (l.nodes[l.selected] != first || s.nodes == 1)
	}
	var out []nodeOpen
	for k := range n {
		key, what, at := "Home", "cursor on the first node", home
		if k%2 == 1 {
			key, what, at = "End", "cursor on the last node", end
		}
		node, err := o.moveCursor(key, what, at)
		if err != nil {
			return out, err
		}
		if k == 0 {
			first = node
		}
		i, ok := index[node]
		if !ok {
			return out, fmt.Errorf("the cursor is on %q, not a node the bench created", node)
		}
		pods := podsOf(i, s)
		if len(pods) == 0 {
			return out, fmt.Errorf("node %s has no pods to look for", node)
		}
		time.Sleep(200 * time.Millisecond) // let the viewer go idle again

		t0 := time.Now()
		if err := o.pane.keys("Enter"); err != nil {
			return out, err
		}
		shown := 0
		seen, sc, err := o.waitScreen("node view of "+node, 5*time.Millisecond, 30*time.Second, func(sc string) bool {
			shown = podsShown(sc, pods)
			return shown > 0
		})
		if err != nil {
			return out, fmt.Errorf("%w\nlast screen:\n%s", err, sc)
		}
		out = append(out, nodeOpen{node: node, took: seen.Sub(t0), shown: shown, pods: len(pods)})

		if err := o.pane.keys("Escape"); err != nil {
			return out, err
		}
		if _, sc, err := o.waitScreen("the list after esc", 20*time.Millisecond, 30*time.Second, func(sc string) bool {
			l := parseList(sc)
			return parseTotals(sc).ok && l.selected >= 0 && l.nodes[l.selected] == node
		}); err != nil {
			return out, fmt.Errorf("%w\nlast screen:\n%s", err, sc)
		}
	}
	// The later phases read the first page's rows.
	_, err := o.moveCursor("Home", "cursor back on the first node", home)
	return out, err
}

// moveCursor sends key to the node list and waits until the list's cursor
// is where at wants it; it returns the node there.
func (o *ours) moveCursor(key, what string, at func(listScreen) bool) (string, error) {
	if err := o.pane.keys(key); err != nil {
		return "", err
	}
	var node string
	_, sc, err := o.waitScreen(what, 20*time.Millisecond, 30*time.Second, func(sc string) bool {
		l := parseList(sc)
		if l.selected < 0 || !at(l) {
			return false
		}
		node = l.nodes[l.selected]
		return true
	})
	if err != nil {
		return "", fmt.Errorf("%w\nlast screen:\n%s", err, sc)
	}
	return node, nil
}

// podsOf is "namespace/name" of the pods the bench created on node i, as
// the node view lists them.
func podsOf(node int, s size) []string {
	var out []string
	for i := node; i < s.pods; i += s.nodes {
		out = append(out, namespaceName(i)+"/"+podName(i))
	}
	return out
}

// podsShown counts the pods (namespace/name) that are on the screen.
func podsShown(screen string, pods []string) int {
	n := 0
	for _, p := range pods {
		if strings.Contains(screen, p) {
			n++
		}
	}
	return n
}

// listScreen is the node rows of a node list screen: their names, top to
// bottom, and which of them has the cursor (-1: none).
type listScreen struct {
	nodes    []string
	selected int
}

// benchNodeRe matches the names nodeName gives.
var benchNodeRe = regexp.MustCompile(`^ip-10-[0-9]+-[0-9]+-[0-9]+\.us-west-2\.compute\.internal$`)

// parseList reads the node rows off a screen: lines that start with the
// cursor column ("> " or blanks) and then a node's name. A node with more
// than one resource has a line per resource, each naming it; it is counted
// once.
func parseList(screen string) listScreen {
	l := listScreen{selected: -1}
	for _, line := range strings.Split(screen, "\n") {
		text := rowText(line)
		if len(text) == len(line) {
			continue // no cursor column: not a node row
		}
		name, _, _ := strings.Cut(text, " ")
		if !benchNodeRe.MatchString(name) {
			continue
		}
		if n := len(l.nodes); n > 0 && l.nodes[n-1] == name {
			continue
		}
		if strings.HasPrefix(line, "> ") {
			l.selected = len(l.nodes)
		}
		l.nodes = append(l.nodes, name)
	}
	return l
}
