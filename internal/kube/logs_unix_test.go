//go:build unix

package kube

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpenLogModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()

	p := filepath.Join(dir, "new.log")
	f, err := OpenLog(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("new log file mode %v, want 0600 (umask 0)", st.Mode().Perm())
	}

	existing := filepath.Join(dir, "existing.log")
	if err := os.WriteFile(existing, []byte("before\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	f, err = OpenLog(existing)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("after\n")
	f.Close()
	st, _ := os.Stat(existing)
	b, _ := os.ReadFile(existing)
	if st.Mode().Perm() != 0o640 || string(b) != "before\nafter\n" {
		t.Errorf("existing log: mode %v, %q; want 0640 kept and appended", st.Mode().Perm(), b)
	}

	if f, err := OpenLog(os.DevNull); err != nil {
		t.Errorf("%s: %v", os.DevNull, err)
	} else {
		f.Close()
	}
}

func TestOpenLogRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{fifo, "log file " + fifo + ": not a regular file (a named pipe)"},
		{dir, "log file " + dir + ": a directory"},
		{link, "log file " + link + ": a symbolic link; name the file it points to"},
		{"/dev/stderr", "log file /dev/stderr: a symbolic link; name the file it points to"},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() {
			f, err := OpenLog(tt.path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || err.Error() != tt.want {
				t.Errorf("OpenLog(%s) = %v, want %q", tt.path, err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("OpenLog(%s) hangs", tt.path)
		}
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("the symlink's target was created")
	}
}
