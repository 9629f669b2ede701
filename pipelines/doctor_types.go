package pipelines

import "context"

// CheckStatus is the outcome of one doctor check.
type CheckStatus int

// The outcomes of a check.
const (
	CheckOK CheckStatus = iota
	CheckWarn
	CheckFail
)

// CheckResult is one finding of a check: what was checked, its outcome,
// what was found, and how to fix it.
type CheckResult struct {
	Name   string
	Status CheckStatus
	Detail string
	Fix    string
}

// Check is one check of `zoomsync doctor`.
type Check func(ctx context.Context, c *Config) []CheckResult
