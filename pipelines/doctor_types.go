package pipelines

import "context"

// CheckStatus is the outcome of one doctor check.
type CheckStatus int

// The outcomes of a check: fine, worth a look, or in the way of a sync.
const (
	CheckOK CheckStatus = iota
	CheckWarn
	CheckFail
)

// CheckResult is one finding of `zoomsync doctor`: what was checked, what
// was found and, when it is not OK, how to fix it.
type CheckResult struct {
	Name   string
	Status CheckStatus
	Detail string
	Fix    string
}

// Check is one group of doctor checks over a configuration.
type Check func(ctx context.Context, c *Config) []CheckResult
