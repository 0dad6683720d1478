package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Format is an -o value.
type Format string

// The formats, as -o names them.
const (
	JSON   Format = "json"
	YAML   Format = "yaml"
	Table  Format = "table"
	Wide   Format = "wide"
	NDJSON Format = "ndjson"
)

// Formats are every format, in the order --help lists them.
var Formats = []Format{JSON, YAML, Table, Wide, NDJSON}

// ParseFormat reads an -o value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown output format %q: want %s", s, strings.Join(names, ", "))
}

// Write writes one snapshot in format f: a JSON document (indented), a
// YAML one, a table, or for ndjson the document on one line.
func Write(w io.Writer, f Format, s *cluster.Snapshot) error {
	switch f {
	case Table, Wide:
		return writeTable(w, s, f == Wide)
	case JSON:
		d := Build(s)
		return encode(w, &d, "  ")
	case NDJSON:
		d := Build(s)
		return encode(w, &d, "")
	case YAML:
		d := Build(s)
		return writeYAML(w, &d)
	}
	_, err := ParseFormat(string(f))
	return err
}

// encode writes v as JSON and a newline, one line when indent is "".
// '<', '>' and '&' stay as they are: the output is not for HTML.
func encode(w io.Writer, v any, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeYAML writes the document as YAML, keys in the document's order.
// The emitter keeps every event of a document until its end (a 5,000-node
// document cost it seconds and most of a gigabyte), so the nodes are
// emitted one by one and indented into the document's node list.
func writeYAML(w io.Writer, d *Document) error {
	head := *d
	head.Nodes = []Node{}
	b, err := yamlWithNodes(&head, d.Nodes, map[string]bool{})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// yamlWithNodes is head's YAML, whose last key is an empty node list,
// with nodes emitted one by one into that list.
func yamlWithNodes(head any, nodes []Node, plain map[string]bool) ([]byte, error) {
	b, err := yamlBytes(head, plain)
	if err != nil {
		return nil, err
	}
	if b, err = openList(b, "nodes", len(nodes)); err != nil {
		return nil, err
	}
	for i := range nodes {
		nb, err := yamlBytes(&nodes[i], plain)
		if err != nil {
			return nil, err
		}
		b = appendItem(b, nb)
	}
	return b, nil
}

// openList turns the empty list that ends b ("key: []") into the start
// of a block list, for n items to be appended (none: it stays empty).
func openList(b []byte, key string, n int) ([]byte, error) {
	if n == 0 {
		return b, nil
	}
	empty := key + ": []\n"
	if !bytes.HasSuffix(b, []byte(empty)) {
		return nil, fmt.Errorf("yaml: the %s list is not last", key)
	}
	return append(b[:len(b)-len(empty)], key+":\n"...), nil
}

// appendItem appends a mapping's YAML as an item of a sequence indented
// under its key ("  - " on its first line, four spaces on the others: a
// uniform indent keeps block scalars and folded lines as they were).
func appendItem(b, item []byte) []byte {
	for i, line := range bytes.SplitAfter(item, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if i == 0 {
			b = append(b, "  - "...)
		} else {
			b = append(b, "    "...)
		}
		b = append(b, line...)
	}
	return b
}

// yamlBytes is v as YAML. It goes through the JSON, so both formats carry
// the same fields and numbers, read into YAML nodes in the JSON's order
// (not through the YAML parser, which refuses some characters raw and
// folds NEL and the Unicode line separators inside quotes); the emitter
// then quotes and escapes what needs it.
func yamlBytes(v any, plain map[string]bool) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	doc, err := yamlNode(dec)
	if err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	blockStyle(doc, plain)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	return buf.Bytes(), nil
}

// yamlNode reads the next JSON value as a YAML node.
func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if t == '[' {
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, scalar("!!str", fmt.Sprint(k)))
			}
			c, err := yamlNode(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case string:
		return scalar("!!str", t), nil
	case json.Number:
		if _, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			return scalar("!!int", t.String()), nil
		}
		return scalar("!!float", t.String()), nil
	case bool:
		return scalar("!!bool", strconv.FormatBool(t)), nil
	}
	return scalar("!!null", "null"), nil
}

func scalar(tag, v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v} }

// blockStyle clears the JSON's flow and quoting styles, but keeps quoted
// the strings that a YAML 1.1 reader (PyYAML, sigs.k8s.io/yaml) would take
// for something else: yes, on, 1_000, 1:20 are strings to the 1.2 emitter.
// plain memoises readsAsString11 (values repeat from node to node).
func blockStyle(n *yaml.Node, plain map[string]bool) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		ok, seen := plain[n.Value]
		if !seen {
			ok = readsAsString11(n.Value)
			plain[n.Value] = ok
		}
		if !ok {
			n.Style = yaml.DoubleQuotedStyle
		}
	}
	for _, c := range n.Content {
		blockStyle(c, plain)
	}
}

// readsAsString11 reports whether s, written plain, reads back as s in
// YAML 1.1. Only a short word starting like a number, a bool, a null, a
// timestamp or a merge key can be misread (text with spaces or colons is
// quoted by the emitter already); the others are not parsed.
func readsAsString11(s string) bool {
	if s == "" || len(s) > 64 || strings.ContainsAny(s, " \t\n") || !strings.ContainsRune("0123456789+-.~<=yYnNoOtTfF", rune(s[0])) {
		return s != ""
	}
	var v any
	if err := sigsyaml.Unmarshal([]byte(s), &v); err != nil {
		return false
	}
	got, ok := v.(string)
	return ok && got == s
}

// Stream writes a change stream: the first snapshot as one full document
// line, then for every later snapshot one line per change (nothing when
// nothing changed).
type Stream struct {
	w    io.Writer
	last *Document
	// member tags the lines with a fleet cluster's context (nil: a
	// single cluster's stream).
	member *Member
}

// NewStream starts a change stream on w.
func NewStream(w io.Writer) *Stream { return &Stream{w: w} }

// Write writes s as the stream's next lines.
func (st *Stream) Write(s *cluster.Snapshot) error {
	d := Build(s)
	if st.last == nil {
		st.last = &d
		if m := st.member; m != nil {
			return encode(st.w, &ClusterDocument{Context: m.Context, Server: m.Server, Document: d}, "")
		}
		return encode(st.w, &d, "")
	}
	changes := Diff(st.last, &d)
	st.last = &d
	var buf bytes.Buffer
	for i := range changes {
		var rec any = &changes[i]
		if st.member != nil {
			rec = &ClusterChange{Context: st.member.Context, Change: changes[i]}
		}
		if err := encode(&buf, rec, ""); err != nil {
			return err
		}
	}
	if buf.Len() == 0 {
		return nil
	}
	_, err := st.w.Write(buf.Bytes())
	return err
}
