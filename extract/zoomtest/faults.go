package zoomtest

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind names a fault the server can inject.
type FaultKind int

const (
	// FaultQPS429 answers 429 as if the per-second bucket of the route's category were empty.
	FaultQPS429 FaultKind = iota + 1
	// FaultDaily429 answers 429 as if the daily quota of the route's category were used up;
	// Retry-After names the next 00:00 UTC.
	FaultDaily429
	// Fault5xx answers Fault.Status (zero → 503) with a Zoom error body.
	Fault5xx
	// FaultLatency waits Fault.Latency (zero → 1 s) before answering normally.
	FaultLatency
	// FaultExpireToken expires the request's access token and answers 401/124 "Access token is expired."
	FaultExpireToken
	// FaultMalformed answers 200 with the first half of the normal JSON body.
	FaultMalformed
	// FaultReset closes the TCP connection (RST) without answering.
	FaultReset
)

func (k FaultKind) String() string {
	switch k {
	case FaultQPS429:
		return "qps429"
	case FaultDaily429:
		return "daily429"
	case Fault5xx:
		return "5xx"
	case FaultLatency:
		return "latency"
	case FaultExpireToken:
		return "expire_token"
	case FaultMalformed:
		return "malformed"
	case FaultReset:
		return "reset"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault describes a fault injected into matching requests.
type Fault struct {
	// Path is a substring of the request path after /v2 (e.g. "/participants"); "" matches
	// every API request. The token endpoint is matched only by a Path starting with "/oauth",
	// recording downloads only by a Path starting with "/rec" ("/rec/download", "/rec/signed").
	Path    string
	After   int // skip this many matching requests first
	Times   int // apply to this many matching requests; 0 → 1
	Kind    FaultKind
	Latency time.Duration // FaultLatency: how long to stall; 0 → 1 s
	Status  int           // Fault5xx: HTTP status; 0 → 503
}

type faultState struct {
	Fault
	seen, applied int
}

// NewServer starts a simulator serving acct on 127.0.0.1 at a free port. It panics if it

// AddFault injects a fault from now on.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
}

// for recording downloads: outside the API, only faults whose Path starts with the scope
// and prefixes the path match.
func (s *Server) takeFault(path string, scope string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var hit *Fault
	for _, f := range s.faults {
		if scope != "" {
			if !strings.HasPrefix(f.Path, scope) || !strings.HasPrefix(path, f.Path) {
				continue
			}
		} else if !strings.Contains(path, f.Path) {
			continue
		}
		f.seen++
		times := max(f.Times, 1)
		if f.seen > f.After && f.applied < times && hit == nil {
			f.applied++
			ff := f.Fault
			hit = &ff
		}
	}
	return hit
}

// applyFault writes the fault's answer and reports whether the request is finished.
// FaultLatency and FaultMalformed let the request go on (malformed sets *truncate).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, label, token string, truncate *bool) bool {
	switch f.Kind {
	case FaultQPS429, FaultDaily429:
		typ := "QPS"
		if f.Kind == FaultDaily429 {
			typ = "Daily-limit"
		}
		s.limits.write429(w, label, typ, time.Now())
		return true
	case Fault5xx:
		code := f.Status
		if code == 0 {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, errorBody{Code: code, Message: http.StatusText(code)}, false)
		return true
	case FaultLatency:
		d := f.Latency
		if d == 0 {
			d = time.Second
		}
		return !s.stall(r, d)
	case FaultExpireToken:
		if token != "" {
			s.mu.Lock()
			s.tokens[token] = time.Now().Add(-time.Second)
			s.mu.Unlock()
		}
		writeJSON(w, http.StatusUnauthorized, errorBody{Code: 124, Message: "Access token is expired."}, false)
		return true
	case FaultMalformed:
		*truncate = true
		return false
	case FaultReset:
		// Counted before the reset: the client sees the reset at once and
		// may read the stats before this handler returns.
		if sw, ok := w.(*statusWriter); ok {
			s.record(sw.info)
		}
		resetConn(w)
		return true
	}
	return false
}

// resetConn closes the connection with SO_LINGER 0 so the client sees a reset.
func resetConn(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) //nolint:errcheck
	}
	conn.Close()
}
