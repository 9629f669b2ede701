package zoomtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

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
	latency, jitter                   time.Duration      // latency.go
	maxPageSize                       int                // paging.go
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

	acct   *Account
	cfg    config
	ln     net.Listener
	hs     *http.Server
	mux    *http.ServeMux
	limits *limiter

	mu     sync.Mutex
	tokens map[string]time.Time // access token → expiry
	pages  map[string]pageToken
	faults []*faultState
	stats  Stats

	reg registrations // POST /webinars/{webinarId}/registrants state, register.go

	act         activity       // in-flight and stalled requests, wait.go (guarded by mu)
	latencySeen map[string]int // request key → times seen, latency.go (guarded by mu)
	closing     chan struct{}
	closeOnce   sync.Once

	// recordings.go
	dlTokens map[string]time.Time // download_access_token → expiry (guarded by mu)
	signKey  []byte               // signs the storage URLs downloads redirect to
	recOnce  sync.Once
	recIndex map[string]recFile // download key → file
}

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
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
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

		closing:     make(chan struct{}),
		latencySeen: map[string]int{},
		act:         activity{changed: make(chan struct{})},
		dlTokens:    map[string]time.Time{},
		signKey:     []byte(rand.Text()),
	}
	for _, f := range cfg.faults {
		s.faults = append(s.faults, newFaultState(f))
	}
	s.resetStatsLocked()
	s.mux = s.newMux()
	return s
}

// APIURL is the API base, URL+"/v2".
func (s *Server) APIURL() string { return s.URL + "/v2" }

// OAuthURL is the token endpoint, URL+"/oauth/token".
func (s *Server) OAuthURL() string { return s.URL + "/oauth/token" }

// Handler is the server's handler, to mount it elsewhere.
func (s *Server) Handler() http.Handler { return s }

// Close stops the server, closes every connection and releases every stalled request,
// then waits until no handler runs any more (as httptest.Server.Close does).
func (s *Server) Close() {
	if s.hs != nil {
		s.hs.Close() // first: a released stall must find its connection gone, not answer
	}
	s.closeOnce.Do(func() { close(s.closing) })
	s.WaitIdle(context.Background()) //nolint:errcheck // never cancelled
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

type errorBody struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// encodeJSON encodes v as Zoom does (no HTML escaping, no trailing newline); a value that
// cannot be encoded becomes a 500 naming the error.
func encodeJSON(status int, v any) (int, []byte) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		fmt.Fprintf(&buf, `{"code":500,"message":%q}`, "zoomtest: encoding response: "+err.Error())
		return http.StatusInternalServerError, buf.Bytes()
	}
	return status, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeJSON writes v, whole, with Zoom's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	status, b := encodeJSON(status, v)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck
}
