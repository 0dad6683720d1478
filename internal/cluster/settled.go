package cluster

// PricesSettled reports whether the price source has tried every fetch the
// priced rows asked for (pricing.AWS.Settled); a source that fetches
// nothing (a static or recorded one, or none) is always settled. Ask it
// after a Snapshot: pricing that snapshot's rows is what asks.
func (c *Cluster) PricesSettled() bool {
	s, ok := c.opts.Pricing.(interface{ Settled() bool })
	return !ok || s.Settled()
}
