package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

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

// writeYAML writes v as YAML, keys in the document's order. It goes
// through the JSON (so both formats carry the same fields and numbers):
// characters the YAML parser refuses raw (DEL, C1 controls, U+FFFE) are
// escaped first, then every node is left to the emitter's own style, which
// quotes what needs it (and, unlike sigs.k8s.io/yaml's, keeps NEL and the
// Unicode line separators as they were).
func writeYAML(w io.Writer, v any) error {
	j, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(escapeForYAML(j), &doc); err != nil {
		return fmt.Errorf("yaml: %w", err)
	}
	blockStyle(&doc, map[string]bool{})
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("yaml: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

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

// escapeForYAML rewrites, in JSON text, every rune that YAML does not
// allow raw, or reads as a line break inside quotes (NEL, U+2028, U+2029),
// as a \uXXXX escape (they only occur inside strings).
func escapeForYAML(j []byte) []byte {
	i := bytes.IndexFunc(j, yamlForbidden)
	if i < 0 {
		return j
	}
	out := make([]byte, 0, len(j)+16)
	for i >= 0 {
		r, size := utf8.DecodeRune(j[i:])
		out = append(out, j[:i]...)
		out = fmt.Appendf(out, `\u%04x`, r)
		j = j[i+size:]
		i = bytes.IndexFunc(j, yamlForbidden)
	}
	return append(out, j...)
}

// yamlForbidden: outside YAML's printable set (tab, CR, LF, 0x20-0x7E,
// 0xA0-0xD7FF, 0xE000-0xFFFD, above 0xFFFF), or a Unicode line break.
func yamlForbidden(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xfffe || r == 0xffff || r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}

// Stream writes a change stream: the first snapshot as one full document
// line, then for every later snapshot one line per change (nothing when
// nothing changed).
type Stream struct {
	w    io.Writer
	last *Document
}

// NewStream starts a change stream on w.
func NewStream(w io.Writer) *Stream { return &Stream{w: w} }

// Write writes s as the stream's next lines.
func (st *Stream) Write(s *cluster.Snapshot) error {
	d := Build(s)
	if st.last == nil {
		st.last = &d
		return encode(st.w, &d, "")
	}
	changes := Diff(st.last, &d)
	st.last = &d
	var buf bytes.Buffer
	for i := range changes {
		if err := encode(&buf, &changes[i], ""); err != nil {
			return err
		}
	}
	if buf.Len() == 0 {
		return nil
	}
	_, err := st.w.Write(buf.Bytes())
	return err
}
