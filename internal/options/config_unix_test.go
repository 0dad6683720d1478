//go:build unix

package options

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestConfigFileNotRegular: a FIFO, a directory and a device are refused
// before any read (a FIFO with no writer would block the open for ever).
func TestConfigFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{fifo, "config file " + fifo + ": not a regular file (a named pipe)"},
		{dir, "config file " + dir + ": not a regular file (a directory)"},
		{"/dev/null", "config file /dev/null: not a regular file (a character device)"},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() { _, err := Parse(nil, tt.path, nil); done <- err }()
		select {
		case err := <-done:
			if err == nil || err.Error() != tt.want {
				t.Errorf("%s: err = %v, want %q", tt.path, err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Parse hangs", tt.path)
		}
	}
	// A symlink to a regular file is fine (dotfile managers use them).
	link := filepath.Join(dir, "link")
	if err := os.Symlink(writeConfig(t, "resources=memory\n"), link); err != nil {
		t.Fatal(err)
	}
	if o, err := Parse(nil, link, nil); err != nil || o.Resources[0] != "memory" {
		t.Errorf("symlinked config: %v", err)
	}
}
