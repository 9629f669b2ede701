package hubspottest

import (
	"net"
	"net/http"
	"strings"
	"time"
)

// FaultKind names an injected failure.
type FaultKind int

// Fault kinds (reference §11, "Faults on demand").
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
	// FaultReset closes the connection without a response (TCP RST).
	FaultReset
	// FaultExpiredToken answers 401 EXPIRED_AUTHENTICATION.
	FaultExpiredToken
)

func (k FaultKind) String() string {
	switch k {
	case Fault429Burst:
		return "429-burst"
	case Fault429Daily:
		return "429-daily"
	case Fault423:
		return "423"
	case Fault5xx:
		return "5xx"
	case FaultStall:
		return "stall"
	case FaultMalformed:
		return "malformed"
	case FaultReset:
		return "reset"
	case FaultExpiredToken:
		return "expired-token"
	}
	return "unknown"
}

// Fault makes matching requests fail. Faults are checked after routing and the
// bearer check and before rate limiting; a faulted request is not counted
// against the rate limits and never reaches the handler (except FaultStall,
// which serves the request normally after the stall).
type Fault struct {
	Path   string // substring of the request path; "" = any
	Method string // "" = any
	After  int    // let this many matching requests through first
	Times  int    // fail this many matching requests (0 = 1, negative = forever)
	Kind   FaultKind
	Status int           // for Fault5xx: 500, 502, 503 or 504
	Stall  time.Duration // for FaultStall
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
		if f.Path != "" && !strings.Contains(r.URL.Path, f.Path) {
			continue
		}
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		times := f.Times
		if times == 0 {
			times = 1
		}
		if times > 0 && fs.applied >= times {
			continue
		}
		if fs.seen < f.After {
			fs.seen++
			continue
		}
		fs.seen++
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
