package hubspottest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// POST /crm/v3/objects/calls/batch/upsert (calls.v3.json): each input names
// a call by idProperty (a calls property created with hasUniqueValue) and id
// (its value). No live call has that value → a call is created holding it
// ("new": true; hs_timestamp is then required); else that call is updated
// ("new": false). An idProperty of "" or hs_object_id updates by record id
// and cannot create. 200, 207 when every input has a unique
// objectWriteTraceId and some fail, else 400 (or 409 for a unique value held
// by another call) for any invalid input; duplicate keys → 400. Upserting
// the same input twice changes nothing the second time but updatedAt, so a
// write whose answer was lost is harmless to repeat.
func (s *Server) batchUpsertCalls(c *call) {
	batchUpsert(s, c, "calls", callsTypeID, s.planCallUpsert, s.applyCallUpsert)
}

// callUpsertPlan is one validated call upsert.
type callUpsertPlan struct {
	in     upsertInput
	target *callRecord // nil = create
	values map[string]string
}

// planCallUpsert validates one upsert input against the current state.
// Call with s.mu held.
func (s *Server) planCallUpsert(i upsertInput, defs map[string]*property, claims uniqueClaims, claimant string) (callUpsertPlan, *inputError) {
	key := strings.TrimSpace(i.ID)
	byRecord := i.IDProperty == "" || i.IDProperty == "hs_object_id"
	if key == "" {
		return callUpsertPlan{}, badInput(http.StatusBadRequest, "VALIDATION_ERROR", "Some required fields were not set: [id]")
	}
	target := s.calls.find(i.IDProperty, key, false)
	if target == nil && byRecord {
		return callUpsertPlan{}, badInput(http.StatusBadRequest, "OBJECT_NOT_FOUND",
			fmt.Sprintf("Object not found. objectId %s does not exist; upsert by record id needs an existing record", i.ID))
	}
	if v, ok := i.Properties[i.IDProperty]; ok && !byRecord && strings.TrimSpace(string(v)) != key {
		return callUpsertPlan{}, badInput(http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("properties.%s (%q) differs from the id %q the input is keyed by", i.IDProperty, v, key))
	}
	values, ierr := s.checkCallProps(i.Properties, target == nil)
	if ierr != nil {
		return callUpsertPlan{}, ierr
	}
	if !byRecord {
		v, perr := checkValue(defs[i.IDProperty], key)
		if perr != nil {
			return callUpsertPlan{}, badInput(http.StatusBadRequest, "VALIDATION_ERROR", propErrorsMessage([]propError{*perr}))
		}
		values[i.IDProperty] = v
	}
	self, who := "", claimant
	if target != nil {
		self, who = target.id, target.id
	}
	if ierr := checkUnique(defs, values, self, who, s.calls.holder, claims, ""); ierr != nil {
		return callUpsertPlan{}, ierr
	}
	return callUpsertPlan{in: i, target: target, values: values}, nil
}

// applyCallUpsert creates or updates the call of one planned upsert.
func (s *Server) applyCallUpsert(p callUpsertPlan, now time.Time) upsertObject {
	r, isNew := p.target, p.target == nil
	if isNew {
		r = s.calls.create(p.values, nil, now)
	} else {
		r.update(p.values, now)
	}
	return upsertObject{simpleObject: r.written(p.values, p.in.ObjectWriteTraceID), New: isNew}
}
