package zoomtest

import (
	"cmp"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FaultKind names a fault the server can inject. Its String is the kind's name in
// ParseFaults specs.
type FaultKind int

const (
	// FaultQPS429 ("429") answers 429 as if the per-second bucket of the route's category
	// were empty; with Fault.RetryAfter, a Retry-After header in seconds (Zoom's QPS 429s
	// carry none).
	FaultQPS429 FaultKind = iota + 1
	// FaultDaily429 ("daily-429") answers 429 as if the daily quota of the route's category
	// were used up; Retry-After names the next 00:00 UTC.
	FaultDaily429
	// Fault5xx ("5xx") answers Fault.Status (zero → 503) with a Zoom error body.
	Fault5xx
	// FaultLatency ("latency") waits Fault.Latency (zero → 1 s) before answering normally.
	FaultLatency
	// FaultExpireToken ("expire-token") expires the request's access token and answers
	// 401/124 "Access token is expired."; with Fault.MidListing, only on a later page of a
	// listing (a request carrying a next_page_token).
	FaultExpireToken
	// FaultMalformed ("malformed") answers 200 with the first half of the normal JSON body
	// (Content-Length says the half: the response is complete, the JSON is not).
	FaultMalformed
	// FaultReset ("reset") closes the TCP connection (RST) without answering.
	FaultReset
	// FaultStall ("stall") holds the request for Fault.Latency, or, when zero, until the
	// client gives up or the server closes; a request still held then is served normally.
	FaultStall
	// FaultResetMidBody ("reset-mid-body") sends the status, the headers (Content-Length of
	// the whole body) and the first half of the body, then closes the connection.
	FaultResetMidBody
	// FaultExpiredPageToken ("expired-page-token") answers a request carrying a
	// next_page_token 400/300 "The next page token is invalid or expired.", as Zoom answers
	// a token older than its lifetime, and forgets the token: a retry fails the same way,
	// only a listing started again succeeds. Requests without a token never match.
	FaultExpiredPageToken
)

// faultKinds names every kind, in ParseFaults specs and logs.
var faultKinds = map[FaultKind]string{
	FaultQPS429: "429", FaultDaily429: "daily-429", Fault5xx: "5xx", FaultLatency: "latency",
	FaultExpireToken: "expire-token", FaultMalformed: "malformed", FaultReset: "reset", FaultStall: "stall",
	FaultResetMidBody: "reset-mid-body", FaultExpiredPageToken: "expired-page-token",
}

func (k FaultKind) String() string {
	if name, ok := faultKinds[k]; ok {
		return name
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault describes a fault injected into matching requests. A request matches when it
// passes every filter set (Path, Route, Method, MidListing); of the matching requests,
// the fault skips After, then hits every Every-th, Times times in all.
//
// API requests (under /v2) are matched on their escaped path after /v2, with "" matching
// all of them. The token endpoint is matched only by a Path or Route starting with
// "/oauth", recording downloads only by one starting with "/rec" ("/rec/download",
// "/rec/signed").
type Fault struct {
	Path string // a substring of the path, e.g. "/participants"; "" → any
	// Route is a glob on the whole path: "*" matches any run of characters, slashes
	// included; "?" one character. A leading "/v2" is optional. "" → any.
	Route  string
	Method string // "" → any
	// MidListing limits the fault to the later pages of a listing: requests carrying a
	// next_page_token (always so for FaultExpiredPageToken).
	MidListing bool
	After      int // skip this many matching requests first
	Every      int // hit every Every-th matching request after those; 0 → each
	Times      int // hit this many times; 0 → 1, negative → without end
	Kind       FaultKind
	Latency    time.Duration // FaultLatency: how long to wait (0 → 1 s); FaultStall: how long to hold (0 → until the client gives up)
	Status     int           // Fault5xx: HTTP status; 0 → 503
	RetryAfter time.Duration // FaultQPS429: Retry-After, in whole seconds rounded up; 0 → no header
}

type faultState struct {
	Fault
	route         *regexp.Regexp // Route compiled; nil when empty
	seen, applied int
}

func newFaultState(f Fault) *faultState {
	fs := &faultState{Fault: f}
	if f.Route != "" {
		fs.route = globRegexp(strings.TrimPrefix(f.Route, "/v2"))
	}
	return fs
}

// globRegexp compiles a Route glob: "*" any run of characters, "?" one, the rest literal.
func globRegexp(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// WithFault injects a fault; it may be given several times.
func WithFault(f Fault) Option { return func(c *config) { c.faults = append(c.faults, f) } }

// WithFaults injects faults, e.g. those of ParseFaults.
func WithFaults(fs ...Fault) Option { return func(c *config) { c.faults = append(c.faults, fs...) } }

// AddFault injects a fault from now on.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, newFaultState(f))
}

// matches reports whether the request (path: after /v2 for API requests; scope: "" for
// API requests, else "/oauth" or "/rec") passes the fault's filters.
func (f *faultState) matches(r *http.Request, path, scope string) bool {
	if scope != "" {
		anchor := f.Path
		if f.route != nil {
			anchor = f.Route
		}
		if !strings.HasPrefix(anchor, scope) || !strings.HasPrefix(path, f.Path) {
			return false
		}
	} else if !strings.Contains(path, f.Path) {
		return false
	}
	if f.route != nil && !f.route.MatchString(path) {
		return false
	}
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	if (f.MidListing || f.Kind == FaultExpiredPageToken) && r.URL.Query().Get("next_page_token") == "" {
		return false
	}
	return true
}

// takeFault counts the request against every matching fault and returns the first that
// hits, or nil.
func (s *Server) takeFault(r *http.Request, path, scope string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var hit *Fault
	for _, f := range s.faults {
		if !f.matches(r, path, scope) {
			continue
		}
		f.seen++
		n := f.seen - f.After
		if n <= 0 || (f.Every > 1 && n%f.Every != 0) || (f.Times >= 0 && f.applied >= max(f.Times, 1)) || hit != nil {
			continue
		}
		f.applied++
		ff := f.Fault
		hit = &ff
	}
	return hit
}

// applyFault applies a fault that hit c. It reports whether the request is answered; if
// not, the request goes on and its body is written as mode says.
func (s *Server) applyFault(w *statusWriter, c *call, f *Fault) (done bool, mode bodyMode) {
	switch f.Kind {
	case FaultQPS429, FaultDaily429:
		typ := "QPS"
		if f.Kind == FaultDaily429 {
			typ = "Daily-limit"
		} else if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
		}
		s.limits.write429(w, w.info.label, typ, time.Now())
	case Fault5xx:
		code := f.Status
		if code == 0 {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, errorBody{Code: code, Message: http.StatusText(code)})
	case FaultLatency:
		return !s.stall(c.r, cmp.Or(f.Latency, time.Second)), bodyWhole
	case FaultStall:
		return !s.stall(c.r, f.Latency), bodyWhole
	case FaultExpireToken:
		if c.token != "" {
			s.mu.Lock()
			s.tokens[c.token] = time.Now().Add(-time.Second)
			s.mu.Unlock()
		}
		writeJSON(w, http.StatusUnauthorized, errorBody{Code: 124, Message: "Access token is expired."})
	case FaultExpiredPageToken:
		s.mu.Lock()
		delete(s.pages, c.query("next_page_token"))
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, errorBody{Code: 300, Message: msgPageTokenInvalid})
	case FaultMalformed:
		return false, bodyHalf
	case FaultResetMidBody:
		return false, bodyCut
	case FaultReset:
		s.closeConn(w, true)
	default:
		return false, bodyWhole
	}
	return true, bodyWhole
}

// closeConn closes the request's connection: with rst, at once with SO_LINGER 0 so the
// client sees a reset; else after flushing what was written, so the client reads it and
// then the end of the stream. The request is counted first: the client sees the close at
// once and may read the stats before this handler returns.
func (s *Server) closeConn(w *statusWriter, rst bool) {
	s.record(w.info)
	rc := http.NewResponseController(w)
	if !rst {
		rc.Flush() //nolint:errcheck
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		tc.SetLinger(0) //nolint:errcheck
	}
	conn.Close()
}
