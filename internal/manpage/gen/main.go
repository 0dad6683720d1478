// Command gen writes eks-node-viewer(1) (`make man`).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/eksnodeviewer/eks-node-viewer/internal/manpage"
)

func main() {
	readme := flag.String("readme", "README.md", "the README whose sections the page quotes")
	out := flag.String("o", "internal/manpage/eks-node-viewer.1", "the page to write")
	flag.Parse()
	if err := run(*readme, *out); err != nil {
		fmt.Fprintf(os.Stderr, "manpage: %v\n", err)
		os.Exit(1)
	}
}

func run(readme, out string) error {
	src, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := manpage.Generate(&b, src); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}
