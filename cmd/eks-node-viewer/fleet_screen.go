package main

import (
	tea "charm.land/bubbletea/v2"

	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// fleetScreen is the screen of several clusters.
//
// PLACEHOLDER until ui.NewFleet lands (helper fleet-ui): it shows the
// first cluster only. At the merge its body becomes
// `return ui.NewFleet(members, opts)`.
func fleetScreen(members []ui.Member, opts ui.Options) tea.Model {
	return ui.New(members[0].Source, opts)
}
