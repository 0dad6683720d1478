package output

import (
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/termtext"
	"github.com/eksnodeviewer/eks-node-viewer/pricing"
	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// Labels that the wide table shows in columns of its own (ZONE, NODEPOOL):
// asked for as extra labels too, they are not shown twice.
var wideLabels = map[string]bool{"topology.kubernetes.io/zone": true, "karpenter.sh/nodepool": true}

// writeTable writes the node lines as kubectl get does: a header, one line
// per node, columns padded with spaces, no colour. Every string from the
// cluster is sanitised; an absent value is "-".
func writeTable(w io.Writer, s *cluster.Snapshot, wide bool) error {
	l := layoutOf(s, wide)
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	writeRow(tw, l.header(nil))
	row := make([]string, 0, 32)
	for i := range s.Nodes {
		row = l.row(row[:0], s, s.Nodes[i])
		writeRow(tw, row)
	}
	return tw.Flush()
}

// tableLayout is the columns of a table: what the snapshot shows (its
// resources and extra labels, prices, usage) and how wide.
type tableLayout struct {
	resources     []string
	labels        []string // extra labels with a column of their own
	priced, usage bool
	wide          bool
}

func layoutOf(s *cluster.Snapshot, wide bool) tableLayout {
	l := tableLayout{resources: s.Resources, priced: !s.Cost.Disabled, usage: s.Usage != nil, wide: wide}
	for _, lb := range s.ExtraLabels {
		if !wide || !wideLabels[lb] {
			l.labels = append(l.labels, lb)
		}
	}
	return l
}

// header is the header line after the first columns.
func (l tableLayout) header(first []string) []string {
	header := append(first, "NAME")
	for _, r := range l.resources {
		name := strings.ToUpper(termtext.Clean(r))
		header = append(header, name, name+"%")
		if l.usage && measured(r) {
			header = append(header, name+"-USED")
		}
	}
	header = append(header, "PODS", "TYPE", "CAPACITY")
	if l.priced {
		header = append(header, "PRICE")
	}
	header = append(header, "STATE", "AGE")
	if l.wide {
		header = append(header, "ZONE", "NODEPOOL")
		if l.priced {
			header = append(header, "PRICE SOURCE")
			if l.usage {
				header = append(header, "IDLE/H", "UNUSED/H")
			}
		}
	}
	for _, lb := range l.labels {
		header = append(header, labelHeader(lb))
	}
	return header
}

// row appends node n's cells to row.
func (l tableLayout) row(row []string, s *cluster.Snapshot, n *cluster.Node) []string {
	row = append(row, cell(n.Name))
	for r, res := range l.resources {
		var q cluster.Quantity
		if r < len(n.Usage) {
			q = n.Usage[r]
		}
		pct := "-"
		if q.Allocatable > 0 {
			pct = percentText(q.Fraction())
		}
		row = append(row, ui.FormatPair(res, q), pct)
		if l.usage && measured(res) {
			row = append(row, usedCell(n, r))
		}
	}
	row = append(row, podsText(n), cell(n.InstanceType), capacityText(n))
	if l.priced {
		row = append(row, priceText(n.Price))
	}
	row = append(row, state(n), ageText(s, n))
	if l.wide {
		row = append(row, cell(n.Zone), cell(n.NodePool))
		if l.priced {
			row = append(row, n.Price.Source.String())
			if l.usage {
				row = append(row, idleCells(n)...)
			}
		}
	}
	for _, lb := range l.labels {
		i := indexOf(s.ExtraLabels, lb)
		v, ok := labelValue(s, n, i, lb)
		if !ok {
			v = ""
		}
		row = append(row, cell(v))
	}
	return row
}

func writeRow(tw io.Writer, cells []string) {
	_, _ = io.WriteString(tw, strings.Join(cells, "\t")+"\n")
}

// cell is a sanitised value, "-" when empty.
func cell(s string) string {
	if s = termtext.Clean(s); s == "" {
		return "-"
	}
	return s
}

// labelHeader names a label column as kubectl's -L does, by the key's last
// segment ("ZONE" for topology.kubernetes.io/zone); the computed labels
// keep their whole name ("NODE-AGE", "NODE-CPU-USAGE").
func labelHeader(key string) string {
	if rest, ok := strings.CutPrefix(key, "eks-node-viewer/"); ok {
		return strings.ToUpper(termtext.Clean(rest))
	}
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		key = key[i+1:]
	}
	return strings.ToUpper(termtext.Clean(key))
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// idleCells are a node's idle and reserved-unused cost per hour
// ("$0.0042"), "-" without a sample or a price.
func idleCells(n *cluster.Node) []string {
	if n.Used == nil || !n.Price.Known() {
		return []string{"-", "-"}
	}
	p := n.Price
	p.Hourly, p.Source = n.IdleHourly, pricing.Live
	idle := priceText(p)
	p.Hourly = n.UnusedHourly
	return []string{idle, priceText(p)}
}

// podsText is "8/17", or "8" when the node's pod capacity is unknown.
func podsText(n *cluster.Node) string {
	s := strconv.Itoa(n.Pods)
	if n.MaxPods > 0 {
		s += "/" + strconv.FormatInt(n.MaxPods, 10)
	}
	return s
}

// capacityText is the screen's capacity cell: "On-Demand/Auto", "Spot", "-".
func capacityText(n *cluster.Node) string {
	if n.AutoMode {
		return n.Capacity.String() + "/Auto"
	}
	return n.Capacity.String()
}

// priceText is "$0.0421", "~$0.0421" for an estimate, "?" when unknown.
func priceText(p pricing.Price) string {
	if !p.Known() {
		return "?"
	}
	sym := "$"
	if p.Currency == "CNY" {
		sym = "¥"
	}
	v := sym + strconv.FormatFloat(p.Hourly, 'f', 4, 64)
	if p.Source == pricing.Estimate {
		return "~" + v
	}
	return v
}

func ageText(s *cluster.Snapshot, n *cluster.Node) string {
	if n.Created.IsZero() {
		return "-"
	}
	return age(s.Taken, n.Created)
}
