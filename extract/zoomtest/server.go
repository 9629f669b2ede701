package zoomtest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// Option configures a Server.
type Option func(*config)

type config struct {
	accountID, clientID, clientSecret string
	tokenTTL, pageTokenTTL            time.Duration
	plan                              string
	strictUUID                        bool
	faults                            []Fault
	logger                            *slog.Logger
	registration                      registrationConfig // register.go
	signedURLTTL                      time.Duration      // recordings.go
}

// WithCredentials sets the accepted account id, client id and client secret
// (default demo-account / demo-client / demo-secret).
func WithCredentials(accountID, clientID, clientSecret string) Option {
	return func(c *config) { c.accountID, c.clientID, c.clientSecret = accountID, clientID, clientSecret }
}

// WithTokenTTL sets the lifetime of issued access tokens (default 1 h).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

// WithPageTokenTTL sets the lifetime of next_page_token values (default 15 min).
func WithPageTokenTTL(d time.Duration) Option { return func(c *config) { c.pageTokenTTL = d } }

// WithPlan selects the rate-limit preset: "pro" (default), "business", "free", or
// "unlimited" (no rate limiting).
func WithPlan(plan string) Option { return func(c *config) { c.plan = plan } }

// WithStrictUUID sets whether a single-encoded uuid that starts with "/" or contains "//"
// answers 404/3001 (default true), as Zoom does.
func WithStrictUUID(strict bool) Option { return func(c *config) { c.strictUUID = strict } }

// WithFault injects a fault; it may be given several times.
func WithFault(f Fault) Option { return func(c *config) { c.faults = append(c.faults, f) } }

// WithLogger logs every request at Debug level; nil discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Stats counts the requests a server received, 429s and faults included.
type Stats struct {
	Total    int
	ByLabel  map[string]int // rate-limit category: Light, Medium, Heavy, Resource-intensive
	ByRoute  map[string]int // route template, e.g. "GET /report/webinars/{webinarId}/participants", "POST /oauth/token"; "unmatched" otherwise
	ByStatus map[int]int    // HTTP status; 0 for connection resets
}

// Server is a running Zoom API simulator.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:1234: the API is at URL+"/v2", the token
	// endpoint at URL+"/oauth/token".
	URL string

	acct    *Account
	cfg     config
	ln      net.Listener
	hs      *http.Server
	handler http.Handler
	limits  *limiter

	mu     sync.Mutex
	tokens map[string]time.Time // access token → expiry
	pages  map[string]pageToken
	faults []*faultState
	stats  Stats

	reg registrations // POST /webinars/{webinarId}/registrants state, register.go

	// recordings.go
	dlTokens map[string]time.Time // download_access_token → expiry (guarded by mu)
	signKey  []byte               // signs the storage URLs downloads redirect to
	recOnce  sync.Once
	recIndex map[string]recFile // download key → file
}

type faultState struct {
	Fault
	seen, applied int
}

// NewServer starts a simulator serving acct on 127.0.0.1 at a free port. It panics if it
// cannot listen, as httptest.NewServer does. Call Close when done.
func NewServer(acct *Account, opts ...Option) *Server {
	s, err := Listen("127.0.0.1:0", acct, opts...)
	if err != nil {
		panic(fmt.Sprintf("zoomtest: failed to listen on a port: %v", err))
	}
	return s
}

// Listen starts a simulator serving acct on addr (e.g. "127.0.0.1:8090"), for
// `zoomsync sim zoom --addr`.
func Listen(addr string, acct *Account, opts ...Option) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	s := newServer(acct, opts...)
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.hs = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go s.hs.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	return s, nil
}

func newServer(acct *Account, opts ...Option) *Server {
	cfg := config{
		accountID: "demo-account", clientID: "demo-client", clientSecret: "demo-secret",
		tokenTTL: time.Hour, pageTokenTTL: 15 * time.Minute, plan: "pro", strictUUID: true,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		acct:   acct,
		cfg:    cfg,
		limits: newLimiter(cfg.plan),
		tokens: map[string]time.Time{},
		pages:  map[string]pageToken{},

		dlTokens: map[string]time.Time{},
		signKey:  []byte(rand.Text()),
	}
	for _, f := range cfg.faults {
		s.faults = append(s.faults, &faultState{Fault: f})
	}
	s.resetStatsLocked()
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s
}

// APIURL is the API base, URL+"/v2".
func (s *Server) APIURL() string { return s.URL + "/v2" }

// OAuthURL is the token endpoint, URL+"/oauth/token".
func (s *Server) OAuthURL() string { return s.URL + "/oauth/token" }

// Handler is the server's handler, to mount it elsewhere.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the server and closes every connection, stalled ones included.
func (s *Server) Close() {
	if s.hs != nil {
		s.hs.Close()
	}
}

// ExpireTokens makes every access token issued so far answer 401/124 "Access token is expired.".
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for t := range s.tokens {
		s.tokens[t] = past
	}
}

// AddFault injects a fault from now on.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Total:    s.stats.Total,
		ByLabel:  maps.Clone(s.stats.ByLabel),
		ByRoute:  maps.Clone(s.stats.ByRoute),
		ByStatus: maps.Clone(s.stats.ByStatus),
	}
}

// ResetStats zeroes the request counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetStatsLocked()
}

func (s *Server) resetStatsLocked() {
	s.stats = Stats{ByLabel: map[string]int{}, ByRoute: map[string]int{}, ByStatus: map[int]int{}}
}

// reqInfo is what serveHTTP learns about a request for stats and logs.
type reqInfo struct {
	route, label string
	status       int
	fault        FaultKind
	recorded     bool // counted in the stats already
}

type statusWriter struct {
	http.ResponseWriter
	info *reqInfo
}

func (w *statusWriter) WriteHeader(code int) {
	if w.info.status == 0 {
		w.info.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.info.status == 0 {
		w.info.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	info := &reqInfo{route: "unmatched"}
	w := &statusWriter{ResponseWriter: rw, info: info}
	path := r.URL.EscapedPath()
	switch {
	case path == "/oauth/token":
		info.route = "POST /oauth/token"
		s.serveToken(w, r, info)
	case path == "/v2" || strings.HasPrefix(path, "/v2/"):
		s.serveAPI(w, r, strings.TrimPrefix(path, "/v2"), info)
	case strings.HasPrefix(path, "/rec/download/"):
		s.serveDownload(w, r, path, info)
	case strings.HasPrefix(path, "/rec/signed/"):
		s.serveSigned(w, r, path, info)
	default:
		http.Error(w, "no route in test fixture: "+r.URL.Path, http.StatusInternalServerError)
	}
	s.record(info)
	attrs := []any{"method", r.Method, "path", path, "route", info.route, "status", info.status}
	if info.fault != 0 {
		attrs = append(attrs, "fault", info.fault.String())
	}
	s.cfg.logger.DebugContext(r.Context(), "zoomtest request", attrs...)
}

// record counts a request in the stats, once.
func (s *Server) record(info *reqInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if info.recorded {
		return
	}
	info.recorded = true
	s.stats.Total++
	s.stats.ByRoute[info.route]++
	if info.label != "" {
		s.stats.ByLabel[info.label]++
	}
	s.stats.ByStatus[info.status]++
}

// takeFault counts the request against every matching fault and returns the first that
// applies, or nil. scope is "" for API requests, "/oauth" for the token endpoint and "/rec"
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
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return false
		case <-r.Context().Done():
			return true
		}
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

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type errorBody struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// writeJSON writes v with Zoom's content type; truncate cuts the body in half (FaultMalformed).
func writeJSON(w http.ResponseWriter, status int, v any, truncate bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, `{"code":500,"message":%q}`, "zoomtest: encoding response: "+err.Error())
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if truncate {
		b = b[:len(b)/2]
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck
}

// --- OAuth ---

type oauthError struct {
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	APIURL      string `json:"api_url"`
}

const tokenScope = "user:read:admin webinar:read:admin webinar:write:admin report:read:admin recording:read:admin dashboard_webinars:read:admin"

// serveToken implements POST /oauth/token (Server-to-Server OAuth, account_credentials).
// grant_type and account_id are read from the query string or a form body.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, info *reqInfo) {
	var truncate bool
	if f := s.takeFault("/oauth/token", "/oauth"); f != nil {
		info.fault = f.Kind
		if s.applyFault(w, r, f, "", "", &truncate) {
			return
		}
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, oauthError{Reason: "Method not allowed", Error: "invalid_request"}, false)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id == "" || secret == "" {
		writeJSON(w, http.StatusUnauthorized, oauthError{Reason: "Missing client id or client secret", Error: "invalid_client"}, false)
		return
	}
	if id != s.cfg.clientID || secret != s.cfg.clientSecret {
		writeJSON(w, http.StatusUnauthorized, oauthError{Reason: "Invalid client_id or client_secret", Error: "invalid_client"}, false)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Invalid request body", Error: "invalid_request"}, false)
		return
	}
	switch gt := r.Form.Get("grant_type"); gt {
	case "account_credentials":
	case "":
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Missing grant type", Error: "invalid_request"}, false)
		return
	default:
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Unsupported grant type", Error: "unsupported_grant_type"}, false)
		return
	}
	switch acc := r.Form.Get("account_id"); {
	case acc == "":
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Invalid request : Account ID is required.", Error: "invalid_request"}, false)
		return
	case acc != s.cfg.accountID:
		writeJSON(w, http.StatusBadRequest, oauthError{Reason: "Invalid request : Account ID is invalid.", Error: "invalid_request"}, false)
		return
	}
	tok := "eyJzaW0iOiJ6b29tdGVzdCJ9." + rand.Text() + rand.Text()
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(s.cfg.tokenTTL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: tok,
		TokenType:   "bearer",
		ExpiresIn:   int(s.cfg.tokenTTL / time.Second),
		Scope:       tokenScope,
		APIURL:      s.URL,
	}, truncate)
}

// --- API dispatch ---

// call is one API request being served.
type call struct {
	r      *http.Request
	w      http.ResponseWriter // for handlers that set headers (register.go)
	params map[string]string   // raw (still escaped) path parameters
	route  *route
}

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// apiErr is a handler's error answer.
func apiErr(status, code int, format string, args ...any) (int, any) {
	return status, errorBody{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, path string, info *reqInfo) {
	// Authenticate first, as Zoom does.
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(r.Header.Get("Authorization"), "bearer ")
	}
	s.mu.Lock()
	exp, known := s.tokens[tok]
	s.mu.Unlock()
	switch {
	case !ok || !known:
		writeJSON(w, http.StatusUnauthorized, errorBody{Code: 124, Message: "Invalid access token."}, false)
		return
	case !time.Now().Before(exp):
		writeJSON(w, http.StatusUnauthorized, errorBody{Code: 124, Message: "Access token is expired."}, false)
		return
	}

	rt, params, methodOK := matchRoute(r.Method, path)
	if rt == nil || !methodOK {
		writeJSON(w, http.StatusNotFound, errorBody{Code: 404, Message: "No route in test fixture: " + r.Method + " /v2" + path}, false)
		return
	}
	info.route, info.label = r.Method+" "+rt.tmpl, rt.label

	var truncate bool
	if f := s.takeFault(path, ""); f != nil {
		info.fault = f.Kind
		if s.applyFault(w, r, f, rt.label, tok, &truncate) {
			return
		}
	}
	if !s.limits.allow(w, rt.label, time.Now()) {
		return
	}
	status, body := rt.handle(s, &call{r: r, w: w, params: params, route: rt})
	writeJSON(w, status, body, truncate && status == http.StatusOK)
}

// --- page tokens ---

type pageToken struct {
	key     string // route template, subject and filters the token is bound to
	offset  int
	expires time.Time
}

// pageParams are the paging fields of a list response.
type pageParams struct {
	NextPageToken string `json:"next_page_token"`
	PageCount     int    `json:"page_count"`
	PageSize      int    `json:"page_size"`
	TotalRecords  int    `json:"total_records"`
}

// page resolves page_size and next_page_token for a list of total items bound to key. It
// returns the slice bounds and the envelope, or an error answer.
func (s *Server) page(c *call, key string, total int) (lo, hi int, env pageParams, errStatus int, errBody any) {
	size := 30
	if v := c.query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errStatus, errBody = http.StatusBadRequest, errorBody{Code: 300, Message: "Validation Failed.",
				Errors: []fieldError{{Field: "page_size", Message: "Invalid field."}}}
			return
		}
		if n > 0 {
			size = min(n, 300) // clamped and echoed, as Zoom does
		}
	}
	if tok := c.query("next_page_token"); tok != "" {
		s.mu.Lock()
		pt, ok := s.pages[tok]
		s.mu.Unlock()
		if !ok || pt.key != key || !time.Now().Before(pt.expires) {
			errStatus, errBody = apiErr(http.StatusBadRequest, 300, "The next page token is invalid or expired.")
			return
		}
		lo = pt.offset
	}
	lo = min(lo, total)
	hi = min(lo+size, total)
	env = pageParams{PageSize: size, TotalRecords: total, PageCount: (total + size - 1) / size}
	if hi < total {
		env.NextPageToken = s.newPageToken(key, hi)
	}
	return
}

func (s *Server) newPageToken(key string, offset int) string {
	tok := rand.Text() + rand.Text()[:9]
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, pt := range s.pages {
		if !now.Before(pt.expires) {
			delete(s.pages, t)
		}
	}
	s.pages[tok] = pageToken{key: key, offset: offset, expires: now.Add(s.cfg.pageTokenTTL)}
	return tok
}
