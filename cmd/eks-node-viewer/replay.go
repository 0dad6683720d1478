package main

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// --record and --replay.

// openRecord creates the --record file (nil when not recording). A path
// that cannot be written is bad input (exit 2).
func openRecord(o *options.Options) (*cluster.Recorder, error) {
	if o.Record.Record == "" {
		return nil, nil
	}
	rec, err := cluster.CreateRecording(o.Record.Record, cluster.RecordInfo{Demo: o.Demo, Program: versionLine()})
	if err != nil {
		return nil, &exitError{code: 2, msg: err.Error()}
	}
	return rec, nil
}

// closeRecord ends the recording; its error (a full disk) is the run's
// unless the run failed already.
func closeRecord(rec *cluster.Recorder, err error) error {
	if rec == nil {
		return err
	}
	if cerr := rec.Close(); err == nil && cerr != nil {
		return cerr
	}
	return err
}

// startReplay plays the --replay file into a model made with the
// recording's settings, overridden by the display flags given on the
// command line.
func startReplay(ctx context.Context, o *options.Options) (*cluster.Player, bool, error) {
	rec, err := cluster.OpenRecording(o.Record.Replay)
	if err != nil {
		return nil, false, err
	}
	resources, extra, selector, sortSpec := rec.Options()
	opts := cluster.Options{Resources: resources, ExtraLabels: extra}
	if opts.Selector, err = labels.Parse(selector); err != nil {
		return nil, false, &cluster.RecordingError{Path: o.Record.Replay, Err: fmt.Errorf("bad node selector in the header: %v", err)}
	}
	if sortSpec == "" {
		sortSpec = options.DefaultNodeSort
	}
	if opts.Sort, err = options.ParseSort(sortSpec); err != nil {
		return nil, false, &cluster.RecordingError{Path: o.Record.Replay, Err: fmt.Errorf("bad sort in the header: %v", err)}
	}
	given := o.Record.Explicit
	if given["resources"] {
		opts.Resources = o.Resources
	}
	if given["extra-labels"] {
		opts.ExtraLabels = o.ExtraLabels
	}
	if given["node-selector"] {
		opts.Selector = o.Selector
	}
	if given["node-sort"] {
		opts.Sort = o.Sort
	}
	p, err := cluster.NewPlayer(rec, opts, cluster.PlayerOptions{Speed: o.Record.ReplaySpeed, NoPrices: o.DisablePricing})
	if err != nil {
		if re, ok := err.(*cluster.RecordingError); ok && re.Path == "" {
			re.Path = o.Record.Replay
		}
		return nil, false, err
	}
	p.Start(ctx)
	return p, rec.Header.Options.Demo, nil
}
