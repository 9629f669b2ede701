package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Batch upserts of every object type share one request flow; each type
// supplies how it plans one input against the current state and how it
// applies a plan.

// batchUpsert answers POST /crm/v3/objects/{objectType}/batch/upsert: the
// request is checked whole (size, idProperty of typeID, duplicate keys),
// every input is planned with plan under s.mu (a failing input fails the
// request unless all carry trace ids), then every plan is applied with apply.
// 200, or 207 with errors.
func batchUpsert[P any](s *Server, c *call, objectType, typeID string,
	plan func(i upsertInput, defs map[string]*property, claims uniqueClaims, claimant string) (P, *inputError),
	apply func(p P, now time.Time) upsertObject) {
	inputs, ok := decodeInputs[upsertInput](s, c)
	if !ok {
		return
	}
	started := isoTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	defs := s.props[objectType].props
	if !checkIDProperties(s, c, typeID, inputs, upsertInput.idProperty, defs) || !s.checkDuplicateKeys(c, inputs) {
		return
	}
	claims := uniqueClaims{}
	n := 0
	plans, errs, ok := planBatch(s, c, inputs, upsertInput.trace, func(i upsertInput) (P, *inputError) {
		n++
		return plan(i, defs, claims, fmt.Sprint("new#", n))
	})
	if !ok {
		return
	}
	now := s.now()
	results := make([]upsertObject, 0, len(plans))
	for _, p := range plans {
		results = append(results, apply(p, now))
		c.write = true
	}
	shuffle(s, results)
	writeBatchResponse(s, c, http.StatusOK, started, results, errs)
}

// checkDuplicateKeys fails the whole request (400) when two inputs name the
// same key, trace ids or not. Keys compare trimmed and case-insensitively.
func (s *Server) checkDuplicateKeys(c *call, inputs []upsertInput) bool {
	seen := map[string]bool{}
	var dups []string
	for _, i := range inputs {
		k := strings.ToLower(strings.TrimSpace(i.ID))
		key := i.IDProperty + "\x00" + k
		if seen[key] && !slices.Contains(dups, k) {
			dups = append(dups, k)
		}
		seen[key] = true
	}
	if len(dups) == 0 {
		return true
	}
	s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
		fmt.Sprintf("Duplicate IDs found in batch input: [%s]. IDs must be unique", strings.Join(dups, ", ")),
		func(b *errorBody) { b.Context = map[string][]string{"ids": dups} })
	return false
}
