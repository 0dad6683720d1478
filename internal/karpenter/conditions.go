package karpenter

import (
	"time"
)

// NodeClaim condition types the viewer reads.
const (
	CondLaunched         = "Launched"
	CondRegistered       = "Registered"
	CondInitialized      = "Initialized"
	CondReady            = "Ready"
	CondConsolidatable   = "Consolidatable"
	CondDrifted          = "Drifted"
	CondDisruptionReason = "DisruptionReason"
	CondConsistent       = "ConsistentStateFound"
	CondDrained          = "Drained"
	CondVolumesDetached  = "VolumesDetached"
	CondTerminating      = "InstanceTerminating"
	// NodePool conditions (besides Ready).
	CondValidationSucceeded     = "ValidationSucceeded"
	CondNodeClassReady          = "NodeClassReady"
	CondNodeRegistrationHealthy = "NodeRegistrationHealthy"
)

// Condition statuses.
const (
	StatusTrue    = "True"
	StatusFalse   = "False"
	StatusUnknown = "Unknown"
)

// Condition is one status condition as the object reported it.
type Condition struct {
	Type    string
	Status  string // "True", "False", "Unknown"
	Reason  string
	Message string
	// At is lastTransitionTime (zero when absent or unreadable).
	At time.Time
}

// True reports whether the condition's status is True.
func (c Condition) True() bool { return c.Status == StatusTrue }

// LifecycleSteps are the NodeClaim's launch steps, in order.
func LifecycleSteps() [4]string {
	return [4]string{CondLaunched, CondRegistered, CondInitialized, CondReady}
}

// NodeClaimConditions are the condition types a NodeClaim's record keeps.
func NodeClaimConditions() []string {
	return []string{CondLaunched, CondRegistered, CondInitialized, CondReady, CondConsolidatable,
		CondDrifted, CondDisruptionReason, CondConsistent, CondDrained, CondVolumesDetached, CondTerminating}
}

// Conditions reads status.conditions of an unstructured object. keep, when
// not nil, selects the types worth keeping. Entries that are not objects or
// have no type are skipped; a type listed twice keeps its last entry (as
// the API's merge key would). intern, when not nil, is applied to the type,
// status and reason (a few values, repeated on every object).
func Conditions(obj map[string]any, keep func(string) bool, intern func(string) string) []Condition {
	status, _ := obj["status"].(map[string]any)
	list, _ := status["conditions"].([]any)
	if intern == nil {
		intern = func(s string) string { return s }
	}
	var out []Condition
	for _, item := range list {
		m, _ := item.(map[string]any)
		t := str(m["type"])
		if t == "" || (keep != nil && !keep(t)) {
			continue
		}
		c := Condition{
			Type:    intern(t),
			Status:  intern(str(m["status"])),
			Reason:  intern(str(m["reason"])),
			Message: fold(str(m["message"])),
			At:      parseTime(str(m["lastTransitionTime"])),
		}
		replaced := false
		for i := range out {
			if out[i].Type == c.Type {
				out[i], replaced = c, true
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}

// Find returns the condition of type t.
func Find(cs []Condition, t string) (Condition, bool) {
	for _, c := range cs {
		if c.Type == t {
			return c, true
		}
	}
	return Condition{}, false
}

// waitingReasons are the Unknown reasons that mean "not there yet" rather
// than a failure: the operator's initial one, the root condition's
// (operatorpkg writes Ready Unknown "ReconcilingDependents" while a step is
// Unknown, False "UnhealthyDependents" once one is False), and those of
// registration and initialisation.
func waitingReason(reason string) bool {
	switch reason {
	case "", "AwaitingReconciliation", "ReconcilingDependents", "UnhealthyDependents",
		"NodeNotFound", "RegistrationHookPending",
		"NodeNotReady", "StartupTaintsExist", "KnownEphemeralTaintsExist",
		"ResourceNotRegistered", "DRADriverPoolsNotPublished":
		return true
	}
	return false
}

// StepFailed reports whether a lifecycle condition failed or is stuck with
// a reason: status False, or Unknown with a reason other than a waiting one
// (LaunchFailed, InsufficientCapacity, a cloud provider's reason).
func StepFailed(c Condition) bool {
	switch c.Status {
	case StatusFalse:
		return true
	case StatusUnknown:
		return !waitingReason(c.Reason)
	}
	return false
}

// Lifecycle is a NodeClaim's progress through its launch steps.
type Lifecycle struct {
	// Steps are Launched, Registered, Initialized and Ready in that order;
	// a step not reported has Type set and Status "".
	Steps [4]Condition
	// Failed is the index in Steps of the first failed step, -1 when none.
	// Ready failing only because an earlier step did is not a failure of
	// its own: the earlier step is named.
	Failed int
}

// ParseLifecycle picks the lifecycle steps out of a NodeClaim's conditions.
func ParseLifecycle(cs []Condition) Lifecycle {
	l := Lifecycle{Failed: -1}
	for i, t := range LifecycleSteps() {
		l.Steps[i].Type = t
		if c, ok := Find(cs, t); ok {
			l.Steps[i] = c
		}
	}
	for i, c := range l.Steps {
		if StepFailed(c) {
			l.Failed = i
			break
		}
	}
	return l
}

// Durations returns how long after created each step became True: 0 for
// one stamped in created's second (the API stamps to the second) or
// before it, -1 for a step not True or without a time.
func (l Lifecycle) Durations(created time.Time) [4]time.Duration {
	d := [4]time.Duration{-1, -1, -1, -1}
	for i, c := range l.Steps {
		if c.True() && !c.At.IsZero() && !created.IsZero() {
			d[i] = max(c.At.Sub(created), 0)
		}
	}
	return d
}

// Stage is the first step not True yet ("Launched" while launching, ...),
// "" when all are True.
func (l Lifecycle) Stage() string {
	for _, c := range l.Steps {
		if !c.True() {
			return c.Type
		}
	}
	return ""
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// parseTime reads an RFC 3339 time (the API's), zero when it is not one.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
