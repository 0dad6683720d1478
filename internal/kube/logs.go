package kube

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
)

// QuietLogs sends klog (client-go's logger) to w, each message once and
// scrubbed of credentials (see Scrub), and drops API warnings; w nil sends
// klog nowhere. Nothing may print over the UI.
//
// klog writes a message to its own severity's output and to every lower
// one (an error to ERROR, WARNING and INFO): with one writer for all of
// them, an error would appear three times and a warning twice. one_output
// keeps it to the message's own severity.
func QuietLogs(w io.Writer) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	_ = fs.Set("alsologtostderr", "false")
	_ = fs.Set("stderrthreshold", "FATAL")
	_ = fs.Set("skip_headers", "false")
	_ = fs.Set("one_output", "true")
	if w == nil {
		w = io.Discard
	} else {
		w = ScrubWriter(w)
	}
	klog.SetOutput(w)
	klog.LogToStderr(false)
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
}

// OpenLog opens --log-file for appending. A new file is created 0600 (it
// holds cluster names and errors); an existing file keeps its mode. A
// symbolic link is refused (O_NOFOLLOW where the OS has it, else a check
// before the open), and so is anything but a regular file or the null
// device: a FIFO would block the start, and /dev/stderr would draw over the
// screen.
func OpenLog(path string) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil {
		if err := logFileKind(path, st.Mode()); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|openNoFollow|openNonblock, 0o600)
	if err != nil {
		if isSymlinkErr(err) {
			return nil, fmt.Errorf("log file %s: a symbolic link; name the file it points to", path)
		}
		return nil, fmt.Errorf("log file: %w", err)
	}
	st, err := f.Stat()
	if err == nil {
		err = logFileKind(path, st.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func logFileKind(path string, m fs.FileMode) error {
	switch {
	case m&fs.ModeSymlink != 0:
		return fmt.Errorf("log file %s: a symbolic link; name the file it points to", path)
	case m.IsRegular(), path == os.DevNull:
		return nil
	case m.IsDir():
		return fmt.Errorf("log file %s: a directory", path)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("log file %s: not a regular file (a named pipe)", path)
	}
	return fmt.Errorf("log file %s: not a regular file", path)
}
