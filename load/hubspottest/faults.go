package hubspottest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// FaultKind names an injected failure.
type FaultKind int

// Fault kinds (reference §11, "Faults on demand"). The kinds up to
// FaultExpiredToken answer before the handler and change nothing (except
// FaultStall, which serves the request after the stall); the "after-commit"
// kinds and Fault207Partial let the handler APPLY the write first, as when
// HubSpot committed and the answer was lost on the way back.
const (
	// Fault429Burst answers 429 with policyName TEN_SECONDLY_ROLLING.
	Fault429Burst FaultKind = iota + 1
	// Fault429Daily answers 429 with policyName DAILY.
	Fault429Daily
	// Fault423 answers 423 Locked (concurrent writes to one record).
	Fault423
	// Fault5xx answers Fault.Status (500, 502, 503 or 504; default 500).
	Fault5xx
	// FaultStall holds the request for Fault.Stall (default 1 minute), or until
	// the client gives up or the server closes, then serves it normally: a
	// write still lands even when the client timed out, as on the real API,
	// so retries must be idempotent.
	FaultStall
	// FaultMalformed answers 200 with a truncated JSON body; state is untouched.
	FaultMalformed
	// FaultReset closes the connection without a response (TCP RST); state
	// is untouched.
	FaultReset
	// FaultExpiredToken answers 401 EXPIRED_AUTHENTICATION.
	FaultExpiredToken
	// FaultResetAfterCommit applies the request, then closes the connection
	// without a response: the write landed, the client cannot know it.
	FaultResetAfterCommit
	// Fault504AfterCommit applies the request, then answers 504.
	Fault504AfterCommit
	// FaultTruncatedAfterCommit applies the request, then sends its status
	// (200, 201 or 207) with the body cut off halfway.
	FaultTruncatedAfterCommit
	// Fault207Partial fails the first Fault.Rows inputs (default 1) of a batch
	// write: they are not applied and come back in errors[] (with their
	// objectWriteTraceId and id), the others are applied; the answer is 207.
	// It applies to POST bodies with an inputs array, except batch reads and
	// archives; other requests are served normally.
	Fault207Partial
)

// faultNames are the kinds' kebab-case names, as ParseFaults reads them.
var faultNames = map[FaultKind]string{
	Fault429Burst: "429-burst", Fault429Daily: "429-daily", Fault423: "423", Fault5xx: "5xx",
	FaultStall: "stall", FaultMalformed: "malformed", FaultReset: "reset", FaultExpiredToken: "expired-token",
	FaultResetAfterCommit: "reset-after-commit", Fault504AfterCommit: "504-after-commit",
	FaultTruncatedAfterCommit: "truncated-after-commit", Fault207Partial: "207-partial",
}

func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return "unknown"
}

// afterHandler reports whether the kind lets the handler apply the request
// before it strikes.
func (k FaultKind) afterHandler() bool {
	switch k {
	case FaultResetAfterCommit, Fault504AfterCommit, FaultTruncatedAfterCommit, Fault207Partial:
		return true
	}
	return false
}

// Fault makes matching requests fail. Faults are checked after routing and the
// bearer check and before rate limiting; a request failed before its handler
// is not counted against the rate limits (FaultStall's and the after-commit
// kinds' requests are: they are served).
type Fault struct {
	Path   string // substring of the request path; "" = any
	Route  string // glob on the request path ('*' matches any run of characters, '/' included); "" = any
	Method string // "" = any
	After  int    // let this many matching requests through first
	Every  int    // fail only every Every-th matching request (after After); 0 or 1 = each
	Times  int    // fail this many matching requests (0 = 1, negative = forever)
	Kind   FaultKind
	Status int           // for Fault5xx: 500, 502, 503 or 504
	Stall  time.Duration // for FaultStall
	Rows   int           // for Fault207Partial: inputs to fail (0 = 1)
}

// matches reports whether f applies to r, before counting.
func (f Fault) matches(r *http.Request) bool {
	if f.Path != "" && !strings.Contains(r.URL.Path, f.Path) {
		return false
	}
	if f.Route != "" && !globMatch(f.Route, r.URL.Path) {
		return false
	}
	return f.Method == "" || strings.EqualFold(f.Method, r.Method)
}

// globMatch matches s against pattern, where '*' stands for any run of
// characters ('/' included) and '?' for one character.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
}

type faultState struct {
	f       Fault
	seen    int
	applied int
}

// AddFault injects a fault into a running server.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{f: f})
}

// takeFault returns the first fault that fires for r, counting matches.
func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fs := range s.faults {
		f := fs.f
		if !f.matches(r) {
			continue
		}
		times := f.Times
		if times == 0 {
			times = 1
		}
		if times > 0 && fs.applied >= times {
			continue
		}
		fs.seen++
		if fs.seen <= f.After {
			continue
		}
		if f.Every > 1 && (fs.seen-f.After)%f.Every != 0 {
			continue
		}
		fs.applied++
		return f, true
	}
	return Fault{}, false
}

// applyFault answers c with f and reports whether the request is finished.
func (s *Server) applyFault(c *call, f Fault) bool {
	switch f.Kind {
	case Fault429Burst:
		s.writeRateLimited(c, "TEN_SECONDLY_ROLLING")
	case Fault429Daily:
		s.writeRateLimited(c, "DAILY")
	case Fault423:
		s.writeError(c, http.StatusLocked, "LOCKED",
			"The resource is locked by concurrent writes to the same record; retry in a few seconds.", nil)
	case Fault5xx:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		s.writeError(c, status, "INTERNAL_ERROR", "internal error ("+http.StatusText(status)+")", nil)
	case FaultStall:
		// Read the body first: only then does net/http watch the connection
		// and cancel the request's context when the client hangs up.
		if !s.readBody(c) {
			return true
		}
		d := f.Stall
		if d <= 0 {
			d = time.Minute
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.r.Context().Done():
		case <-s.done:
		}
		return false
	case FaultMalformed:
		c.w.Header().Set("Content-Type", "application/json;charset=utf-8")
		c.w.WriteHeader(http.StatusOK)
		_, _ = c.w.Write([]byte(`{"status":"COMPLETE","results":[{"id":"1","properties":{"email":`))
	case FaultReset:
		s.logRequest(c, -1) // status 0: no answer
		s.reset(c)
	case FaultExpiredToken:
		s.writeError(c, http.StatusUnauthorized, "EXPIRED_AUTHENTICATION",
			"The OAuth token used to make this call expired 7 second(s) ago.", nil)
	default:
		s.writeError(c, http.StatusInternalServerError, "INTERNAL_ERROR", "hubspottest: unknown fault kind", nil)
	}
	return true
}

// reset drops the connection with an RST so the client sees "connection reset".
func (s *Server) reset(c *call) {
	hj, ok := c.w.ResponseWriter.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// serveAfterCommit serves c through the handler into a recorder, so that the
// write is applied, then answers as the after-commit fault f says.
func (s *Server) serveAfterCommit(h http.Handler, c *call, f Fault) {
	var failed []json.RawMessage
	if f.Kind == Fault207Partial {
		failed = s.dropInputs(c, max(f.Rows, 1))
	}
	rec := httptest.NewRecorder()
	real := c.w
	c.w = &statusWriter{ResponseWriter: rec, call: c}
	h.ServeHTTP(c.w, c.r)
	c.w = real
	c.inputs += len(failed)

	switch f.Kind {
	case FaultResetAfterCommit:
		s.logRequest(c, -1) // status 0: no answer
		s.reset(c)
	case Fault504AfterCommit:
		s.writeError(c, http.StatusGatewayTimeout, "INTERNAL_ERROR", "internal error (Gateway Timeout)", nil)
	case FaultTruncatedAfterCommit:
		body := rec.Body.Bytes()
		copyHeader(c.w.Header(), rec.Header())
		c.w.WriteHeader(rec.Code)
		_, _ = c.w.Write(body[:len(body)/2])
	case Fault207Partial:
		s.writePartial(c, rec, failed)
	}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// dropInputs removes the first n inputs of a batch write's body and returns
// them; requests it does not apply to (no inputs array, batch reads and
// archives) keep their body and it returns nil.
func (s *Server) dropInputs(c *call, n int) []json.RawMessage {
	p := c.r.URL.Path
	if c.r.Method != http.MethodPost || strings.HasSuffix(p, "/batch/read") || strings.HasSuffix(p, "/batch/archive") {
		return nil
	}
	var body map[string]json.RawMessage
	var inputs []json.RawMessage
	if json.Unmarshal(c.body, &body) != nil || json.Unmarshal(body["inputs"], &inputs) != nil || len(inputs) == 0 {
		return nil
	}
	n = min(n, len(inputs))
	failed := inputs[:n]
	rest, err := json.Marshal(inputs[n:])
	if err != nil {
		return nil
	}
	body["inputs"] = rest
	b, err := json.Marshal(body)
	if err != nil {
		return nil
	}
	c.body = b
	return failed
}

// writePartial sends the recorded answer with the dropped inputs added to its
// errors[] as failed rows, status 207. An answer that is not a 2xx batch
// response (the whole batch was refused) goes out as it was.
func (s *Server) writePartial(c *call, rec *httptest.ResponseRecorder, failed []json.RawMessage) {
	var resp map[string]any
	ok := len(failed) > 0 && rec.Code/100 == 2 && json.Unmarshal(rec.Body.Bytes(), &resp) == nil && resp["results"] != nil
	if !ok {
		copyHeader(c.w.Header(), rec.Header())
		c.w.WriteHeader(rec.Code)
		_, _ = c.w.Write(rec.Body.Bytes())
		return
	}
	errs, _ := resp["errors"].([]any)
	for _, raw := range failed {
		errs = append(errs, failedRow(raw))
	}
	resp["errors"], resp["numErrors"] = errs, len(errs)
	s.writeJSON(c, http.StatusMultiStatus, resp)
}

// failedRow is the errors[] entry of an input failed by Fault207Partial,
// naming it the way HubSpot does: its objectWriteTraceId and its key.
func failedRow(raw json.RawMessage) standardError {
	var in map[string]any
	_ = json.Unmarshal(raw, &in)
	ctx := map[string][]string{}
	if t, ok := in["objectWriteTraceId"].(string); ok && t != "" {
		ctx["objectWriteTraceId"] = []string{t}
	}
	for _, k := range []string{"id", "email", "vid", "externalEventId"} {
		if v, ok := in[k]; ok && v != nil {
			ctx["ids"] = []string{fmt.Sprint(v)}
			break
		}
	}
	return newStandardError("INTERNAL_ERROR", "hubspottest: injected failure of this input; it was not applied", ctx)
}
