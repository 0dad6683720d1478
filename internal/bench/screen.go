package main

import (
	"regexp"
	"strconv"
	"strings"
)

// totals is what the viewer's header says.
type totals struct {
	nodes, pods int
	cpu         string // the cpu pair as shown, e.g. "15,234.35/19,600 cores"
	ok          bool   // both the summary and the pod line were found
}

var (
	summaryRe = regexp.MustCompile(`^([0-9,]+) nodes \(\s*([^)]*?)\s*\)`)
	podLineRe = regexp.MustCompile(`^([0-9,]+) pods \(`)
)

// parseTotals reads the summary line ("5,000 nodes (12.3/19,600 cores) ...")
// and the pod line ("100,000 pods (0 pending ...)") off a screen.
func parseTotals(screen string) totals {
	var t totals
	var haveSummary, havePods bool
	for _, line := range strings.Split(screen, "\n") {
		if m := summaryRe.FindStringSubmatch(line); m != nil && !haveSummary {
			t.nodes, haveSummary = atoiComma(m[1]), true
			t.cpu = m[2]
		} else if m := podLineRe.FindStringSubmatch(line); m != nil && !havePods {
			t.pods, havePods = atoiComma(m[1]), true
		}
	}
	t.ok = haveSummary && havePods
	return t
}

func atoiComma(s string) int {
	n, _ := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	return n
}

// rowEmpty reports whether the node's row is on screen and shows no pods
// and 0% cpu: "NAME cpu ░░░░ 0% (0/58 pods) ...".
func rowEmpty(screen, node string) (onScreen, empty bool) {
	for _, line := range strings.Split(screen, "\n") {
		if line = rowText(line); !strings.HasPrefix(line, node+" ") {
			continue
		}
		pct := strings.Index(line, "%")
		return true, strings.Contains(line, "(0/") && pct > 0 && strings.HasSuffix(strings.TrimRight(line[:pct], " "), " 0")
	}
	return false, false
}

// rowPods returns the pod count of the node's row ("(12/58 pods)"), or -1.
func rowPods(screen, node string) int {
	for _, line := range strings.Split(screen, "\n") {
		if line = rowText(line); !strings.HasPrefix(line, node+" ") {
			continue
		}
		i := strings.Index(line, "(")
		if i < 0 {
			return -1
		}
		j := strings.IndexAny(line[i+1:], "/ ")
		if j < 0 {
			return -1
		}
		n, err := strconv.Atoi(line[i+1 : i+1+j])
		if err != nil {
			return -1
		}
		return n
	}
	return -1
}

// rowText is a screen line without the node list's cursor column ("> " on
// the selected node, blanks on the others).
func rowText(line string) string {
	if strings.HasPrefix(line, "> ") || strings.HasPrefix(line, "  ") {
		return line[2:]
	}
	return line
}
