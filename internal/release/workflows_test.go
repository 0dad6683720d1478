package release

import (
	"path/filepath"
	"testing"
)

func TestWorkflowsLint(t *testing.T) {
	a := tool(t, "ACTIONLINT")
	root := repoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows in .github/workflows (%v)", err)
	}
	cmd{dir: root}.run(t, a, append([]string{"-no-color"}, files...)...)
}
