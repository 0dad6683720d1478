package karpenter

import "time"

// DoNotDisrupt is a pod's karpenter.sh/do-not-disrupt annotation, parsed.
type DoNotDisrupt struct {
	// Valid: the value is "true" or a positive Go duration. Karpenter
	// ignores any other value (and says so with an
	// InvalidDoNotDisruptAnnotation event).
	Valid bool
	// For is the duration of the protection, counted from the pod's
	// status.startTime; 0 with Valid means "true": for as long as the pod
	// runs.
	For time.Duration
}

// ParseDoNotDisrupt reads a pod's annotation value as Karpenter v1.12+ does.
func ParseDoNotDisrupt(v string) DoNotDisrupt {
	if v == "true" {
		return DoNotDisrupt{Valid: true}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return DoNotDisrupt{}
	}
	return DoNotDisrupt{Valid: true, For: d}
}

// Until is when a duration protection ends for a pod started at started:
// zero for "true", for a pod without a start time (Karpenter then keeps the
// pod protected), and for an invalid value (check Valid).
func (d DoNotDisrupt) Until(started time.Time) time.Time {
	if !d.Valid || d.For == 0 || started.IsZero() {
		return time.Time{}
	}
	return started.Add(d.For)
}

// InForce reports whether the protection holds at now for a pod started at
// started.
func (d DoNotDisrupt) InForce(started, now time.Time) bool {
	if !d.Valid {
		return false
	}
	until := d.Until(started)
	return until.IsZero() || now.Before(until)
}

// NodeDoNotDisrupt reports whether a node's annotation protects it: on a
// node, only "true" counts.
func NodeDoNotDisrupt(v string) bool { return v == "true" }
