package ui

import "time"

// Member is one cluster of a fleet.
type Member struct {
	Context string           // kubeconfig context name: the block's title
	Server  string           // its API server URL, shown next to the title
	Source  Source           // its model (a *cluster.Cluster, through cmd's pace wrapper)
	Clock   func() time.Time // its API server's clock (nil: time.Now)
}
