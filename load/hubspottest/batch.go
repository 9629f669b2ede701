package hubspottest

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
)

// Batch operations share their limits, their response envelope and the
// objectWriteTraceId rule of partial success.

// maxBatchInputs is the CRM batch size limit (reference §3: 101 → 400).
const maxBatchInputs = 100

// maxHistoryReads is the batch read limit when propertiesWithHistory is asked for.
const maxHistoryReads = 50

// batchResponse is the spec's BatchResponse… / …WithErrors.
type batchResponse[T any] struct {
	Status      string          `json:"status"`
	Results     []T             `json:"results"`
	NumErrors   int             `json:"numErrors,omitempty"`
	Errors      []standardError `json:"errors,omitempty"`
	StartedAt   string          `json:"startedAt"`
	CompletedAt string          `json:"completedAt"`
}

// writeBatchResponse answers okStatus, or 207 when there are errors.
func writeBatchResponse[T any](s *Server, c *call, okStatus int, started string, results []T, errs []standardError) {
	status := okStatus
	if len(errs) > 0 {
		status = http.StatusMultiStatus
	}
	writeBatchStatus(s, c, status, started, results, errs)
}

// writeBatchAlwaysOK answers 200 even when some inputs failed: the attendance
// operations document no 207; failures are in errors[] and numErrors.
func writeBatchAlwaysOK[T any](s *Server, c *call, started string, results []T, errs []standardError) {
	writeBatchStatus(s, c, http.StatusOK, started, results, errs)
}

func writeBatchStatus[T any](s *Server, c *call, status int, started string, results []T, errs []standardError) {
	if results == nil {
		results = []T{}
	}
	s.writeJSON(c, status, batchResponse[T]{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: started, CompletedAt: isoTime(s.now())})
}

// batchInputs records a batch's size and refuses, with HubSpot's 400, a
// request without an inputs array or with more than the batch maximum.
func (s *Server) batchInputs(c *call, present bool, n int) bool {
	c.inputs = n
	if !present {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Some required fields were not set: [inputs]", nil)
		return false
	}
	return s.checkBatchSize(c, n)
}

// checkBatchSize answers 400 above the batch limit.
func (s *Server) checkBatchSize(c *call, n int) bool {
	if n > maxBatchInputs {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Batch input size of %d exceeds the limit of %d inputs", n, maxBatchInputs),
			func(b *errorBody) { b.Context = map[string][]string{"limit": {strconv.Itoa(maxBatchInputs)}} })
		return false
	}
	return true
}

// inputError is why one input of a batch was rejected; context, when set,
// goes into the error body (and into the batch's errors[] entry).
type inputError struct {
	status   int
	category string
	message  string
	context  map[string][]string
}

func badInput(status int, category, message string) *inputError {
	return &inputError{status: status, category: category, message: message}
}

// tracedBatch reports whether every input has an objectWriteTraceId of its
// own: only then may a batch write partly succeed (207, reference §4).
func tracedBatch[I any](inputs []I, trace func(I) string) bool {
	seen := map[string]bool{}
	for _, i := range inputs {
		t := trace(i)
		if t == "" || seen[t] {
			return false
		}
		seen[t] = true
	}
	return true
}

// planBatch validates every input with plan. In a traced batch a rejected
// input becomes an errors[] entry naming its objectWriteTraceId and the rest
// go on; otherwise the first rejected input fails the request (answered
// here, ok false) and nothing is written.
func planBatch[I, P any](s *Server, c *call, inputs []I, trace func(I) string, plan func(I) (P, *inputError)) (plans []P, errs []standardError, ok bool) {
	traced := tracedBatch(inputs, trace)
	for _, i := range inputs {
		p, ierr := plan(i)
		if ierr == nil {
			plans = append(plans, p)
			continue
		}
		if !traced {
			var edit func(*errorBody)
			if ierr.context != nil {
				edit = func(b *errorBody) { b.Context = ierr.context }
			}
			s.writeError(c, ierr.status, ierr.category, ierr.message, edit)
			return nil, nil, false
		}
		ctx := maps.Clone(ierr.context)
		if ctx == nil {
			ctx = map[string][]string{}
		}
		ctx["objectWriteTraceId"] = []string{trace(i)}
		errs = append(errs, newStandardError(ierr.category, ierr.message, ctx))
	}
	return plans, errs, true
}

// readRequest is the spec's BatchReadInputSimplePublicObjectId.
type readRequest struct {
	IDProperty string `json:"idProperty"`
	Inputs     []struct {
		ID string `json:"id"`
	} `json:"inputs"`
	Properties            *[]string `json:"properties"`
	PropertiesWithHistory *[]string `json:"propertiesWithHistory"`
}

// readBatch answers a checked batch read of the object type typeID
// (objectType in s.props, label in messages): under s.mu it checks the
// request's idProperty, finds each input's record with find (nil when
// absent), keeps each record once (by key) as object makes it, and answers
// 200, or 207 naming the ids not found.
func readBatch[R any](s *Server, c *call, in readRequest, typeID, objectType, label string,
	find func(id string) *R, key func(*R) string, object func(*R) simpleObject) {
	started := isoTime(s.now())
	s.mu.Lock()
	if !s.checkUniqueKey(c, typeID, in.IDProperty, true, s.props[objectType].props) {
		s.mu.Unlock()
		return
	}
	results := []simpleObject{}
	var missing []string
	got := map[string]bool{}
	for _, i := range in.Inputs {
		r := find(i.ID)
		if r == nil {
			missing = append(missing, i.ID)
			continue
		}
		if got[key(r)] {
			continue
		}
		got[key(r)] = true
		results = append(results, object(r))
	}
	shuffle(s, results)
	s.mu.Unlock()
	var errs []standardError
	if len(missing) > 0 {
		errs = append(errs, newStandardError("OBJECT_NOT_FOUND",
			"Could not get some "+label+" objects, they may be deleted or not exist. Check that ids are valid.",
			map[string][]string{"ids": missing}))
	}
	writeBatchResponse(s, c, http.StatusOK, started, results, errs)
}

// decodeInputs decodes a batch request {"inputs": [...]} and checks that
// inputs is present and within the batch size; else it answers 400.
func decodeInputs[I any](s *Server, c *call) ([]I, bool) {
	var in struct {
		Inputs []I `json:"inputs"`
	}
	if !s.decode(c, &in) || !s.batchInputs(c, in.Inputs != nil, len(in.Inputs)) {
		return nil, false
	}
	return in.Inputs, true
}
