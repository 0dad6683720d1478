// Command hello stands in for eks-node-viewer when the release test builds
// every platform's archive: a tiny binary cross-compiles in seconds.
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
