// Package hubspottest is a stateful HubSpot API simulator: a real HTTP server on
// loopback that speaks the contract in reference/hubspot-api.md (bearer auth,
// contacts batch upsert/read/archive, properties and groups, account users,
// rate-limit headers and 429s, error bodies) and injects faults on request.
//
// It shares no code with the client in load/hubspot: every JSON type here is
// declared from the official OpenAPI specs, so a mistake in one cannot hide in
// both.
//
// Served (anything else answers 500 "no route in test fixture: <path>"):
//
//	GET    /crm/v3/objects/contacts                      ?limit ≤100 &after &properties &archived
//	GET    /crm/v3/objects/contacts/{id}                 ?idProperty=email &properties &archived
//	DELETE /crm/v3/objects/contacts/{id}                 204, archives
//	POST   /crm/v3/objects/contacts/batch/upsert         200 / 207 / 400 / 409
//	POST   /crm/v3/objects/contacts/batch/read           ?archived; 200 / 207
//	POST   /crm/v3/objects/contacts/batch/archive        204
//	GET    /crm/v3/properties/{objectType}               and POST (201 / 409 / 400)
//	GET    /crm/v3/properties/{objectType}/{name}        404 when absent
//	POST   /crm/v3/properties/{objectType}/batch/create  201 / 207
//	POST   /crm/v3/properties/{objectType}/batch/read    200 / 207
//	GET    /crm/v3/properties/{objectType}/groups        and POST (201 / 409)
//	GET    /crm/v3/properties/{objectType}/groups/{name}
//	GET    /settings/v3/users, /settings/users/v3        ?limit ≤100 &after
//	GET    /settings/v3/users/{userId}                   ?idProperty=USER_ID|EMAIL
//	POST   /marketing/v3/marketing-events/events/upsert  200 / 400
//	GET    /marketing/v3/marketing-events/events/{externalEventId}  ?externalAccountId, with counts
//	POST   /marketing/v3/marketing-events/attendance/{externalEventId}/{state}/create        by contact id
//	POST   /marketing/v3/marketing-events/attendance/{externalEventId}/{state}/email-create  creates contacts
//	GET    /marketing/v3/marketing-events/participations/{externalAccountId}/{externalEventId}[/breakdown]
//	GET    /crm/v3/timeline/{appId}/event-templates[/{id}]  and POST; ?hapikey= (developer key)
//	POST   /crm/v3/timeline/events, /events/batch/create  OAuth token only (403 for private apps)
//	GET    /crm/v3/timeline/events/{eventTemplateId}/{eventId}
//	       (every timeline route is also served under /integrators/timeline/v3)
//	POST   /crm/v3/objects/calls/batch/create            201 / 207 / 400
//	POST   /crm/v3/objects/calls/batch/read              200 / 207
//	POST   /crm/v3/objects/calls/batch/update            200 / 207 / 400 / 404
//	POST   /crm/v4/associations/calls/contacts/batch/create  201 / 207 / 400
//	GET    /crm/v3/objects/calls/{callId}                ?associations=contacts
//
// Every request is checked in this order: route, bearer token (401; the
// developer key for template routes), injected
// faults, rate limits (429, headers), body size (413), then the handler.
//
// Shape it like net/http/httptest:
//
//	srv := hubspottest.NewServer(hubspottest.WithTier("free"))
//	defer srv.Close()
//	client := hubspot.NewClient(hubspot.WithBaseURL(srv.URL), ...)
package hubspottest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the bearer token accepted when no WithToken option is given.
const DefaultToken = "demo-token"

// DefaultDeveloperKey and DefaultAppID are the developer API key and the
// public app id accepted when WithDeveloperKey and WithApp are not given.
const (
	DefaultDeveloperKey = "demo-developer-key"
	DefaultAppID        = "424242"
)

// DefaultMaxBodyBytes is the request body size above which the simulator answers 413.
const DefaultMaxBodyBytes int64 = 10 << 20

// defaultShuffleSeed makes result order reproducible across runs unless a test
// picks its own seed with WithShuffleSeed.
const defaultShuffleSeed int64 = 0x5eed

type config struct {
	tokens       []string
	oauthTokens  []string // public-app OAuth access tokens (timeline sends need one)
	developerKey string
	appID        string
	tier         string
	burst        int // requests per 10 s window per token; 0 = unlimited
	daily        int // requests per day per account; 0 = unlimited
	faults       []Fault
	maxBodyBytes int64
	seed         int64
	logger       *slog.Logger
	now          func() time.Time
}

// Option configures a Server.
type Option func(*config)

// WithToken adds a bearer token the server accepts. When any WithToken is
// given, DefaultToken is no longer accepted unless passed too.
func WithToken(token string) Option {
	return func(c *config) { c.tokens = append(c.tokens, token) }
}

// WithOAuthToken adds a public app's OAuth access token the server accepts.
// It works wherever a private-app token does, and timeline event sends
// (reference §6) accept only such tokens.
func WithOAuthToken(token string) Option {
	return func(c *config) { c.oauthTokens = append(c.oauthTokens, token) }
}

// WithDeveloperKey sets the developer API key (?hapikey=) that the timeline
// event-template routes accept. Default DefaultDeveloperKey.
func WithDeveloperKey(key string) Option {
	return func(c *config) { c.developerKey = key }
}

// WithApp sets the id of the public app whose developer key is accepted:
// template routes for any other app id answer 404. Default DefaultAppID.
func WithApp(appID string) Option {
	return func(c *config) { c.appID = appID }
}

// WithTier picks the account tier whose rate limits apply (reference §3):
// "free" and "starter" (100 per 10 s, 250,000 per day), "professional"
// (190 per 10 s, 625,000 per day; the default), "enterprise" (190 per 10 s,
// 1,000,000 per day) and "unlimited" (no limiting, no rate-limit headers).
// An unknown tier panics: it is a test bug.
func WithTier(tier string) Option {
	return func(c *config) {
		burst, daily, ok := tierLimits(tier)
		if !ok {
			panic(fmt.Sprintf("hubspottest: unknown tier %q", tier))
		}
		c.tier, c.burst, c.daily = tier, burst, daily
	}
}

// WithRateLimits sets the burst (per token, per rolling 10 s) and daily (per
// account) quotas directly; 0 disables that limit.
func WithRateLimits(burst, daily int) Option {
	return func(c *config) { c.tier, c.burst, c.daily = "custom", burst, daily }
}

// WithFault injects a fault; see Fault.
func WithFault(f Fault) Option {
	return func(c *config) { c.faults = append(c.faults, f) }
}

// WithMaxBodyBytes sets the request body size above which requests get 413.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) { c.maxBodyBytes = n }
}

// WithShuffleSeed seeds the shuffling of batch `results` (HubSpot does not keep
// input order). The same seed and the same calls give the same order.
func WithShuffleSeed(seed int64) Option {
	return func(c *config) { c.seed = seed }
}

// WithLogger logs every request at Debug level; nil discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithClock replaces time.Now for timestamps and rate-limit windows.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

func tierLimits(tier string) (burst, daily int, ok bool) {
	switch tier {
	case "free", "starter":
		return 100, 250_000, true
	case "professional":
		return 190, 625_000, true
	case "enterprise":
		return 190, 1_000_000, true
	case "unlimited":
		return 0, 0, true
	}
	return 0, 0, false
}

// Request is one entry of the request log.
type Request struct {
	Method string
	Path   string
	Query  string
	Status int  // 0 when the connection was reset
	Inputs int  // number of inputs when a batch call
	Write  bool // a POST/PATCH/PUT/DELETE that changed state
}

// Server is a running simulator.
type Server struct {
	// URL is the base URL, like http://127.0.0.1:1234, with no trailing slash.
	URL string

	hs     *httptest.Server
	cfg    config
	log    *slog.Logger
	routes []route
	done   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	rng      *mrand.Rand
	faults   []*faultState
	requests []Request
	limits   rateState
	contacts *contactStore
	props    map[string]*propertyStore // by canonical object type
	users    []user
	nextUser int
	mevents  *marketingStore
	timeline *timelineStore
	calls    *callStore
}

// NewServer starts a simulator on 127.0.0.1 with a free port.
func NewServer(opts ...Option) *Server {
	s := newServer(opts)
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL
	return s
}

// Listen starts a simulator on addr (host:port), for `zoomsync sim hubspot --addr`.
func Listen(addr string, opts ...Option) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	s := newServer(opts)
	s.hs = httptest.NewUnstartedServer(s)
	s.hs.Listener.Close()
	s.hs.Listener = l
	s.hs.Start()
	s.URL = s.hs.URL
	return s, nil
}

func newServer(opts []Option) *Server {
	cfg := config{developerKey: DefaultDeveloperKey, appID: DefaultAppID, tier: "professional", maxBodyBytes: DefaultMaxBodyBytes, seed: defaultShuffleSeed, now: time.Now}
	cfg.burst, cfg.daily, _ = tierLimits(cfg.tier)
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.tokens) == 0 {
		cfg.tokens = []string{DefaultToken}
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		log:      log,
		done:     make(chan struct{}),
		rng:      mrand.New(mrand.NewPCG(uint64(cfg.seed), 0x9e3779b97f4a7c15)),
		contacts: newContactStore(),
		props:    defaultProperties(cfg.now()),
		nextUser: 1000001,
		mevents:  newMarketingStore(),
		timeline: newTimelineStore(),
		calls:    newCallStore(),
	}
	for _, f := range cfg.faults {
		s.faults = append(s.faults, &faultState{f: f})
	}
	s.limits.burst = map[string][]time.Time{}
	s.routes = s.buildRoutes()
	return s
}

// Close shuts the server down; stalled requests are released first.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	if s.hs != nil {
		s.hs.Close()
	}
}

// Client returns an HTTP client for the server (no auth header is added).
func (s *Server) Client() *http.Client { return s.hs.Client() }

// Handler returns the simulator as a plain handler, to mount elsewhere.
func (s *Server) Handler() http.Handler { return s }

// Requests returns the log of every request so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// call is one request in flight.
type call struct {
	logged bool // in the request log already
	w      *statusWriter
	r      *http.Request
	params map[string]string
	body   []byte
	corrID string
	token  string
	inputs int
	write  bool
}

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// logRequest appends a call to the request log, once. status overrides the
// written status when not zero; a reset call is logged with status 0 before
// its connection is dropped, since the client may read the log right after.
func (s *Server) logRequest(c *call, status int) {
	s.mu.Lock()
	if c.logged {
		s.mu.Unlock()
		return
	}
	c.logged = true
	if status == 0 {
		status = c.w.status
	}
	if status < 0 {
		status = 0
	}
	r := c.r
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Status: status, Inputs: c.inputs, Write: c.write,
	})
	s.mu.Unlock()
	s.log.DebugContext(r.Context(), "hubspottest request", "method", r.Method, "path", r.URL.Path,
		"status", status, "inputs", c.inputs, "correlation_id", c.corrID)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP runs a request through routing, auth, faults, rate limits, the
// body-size limit and the handler, and logs it.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	c := &call{w: &statusWriter{ResponseWriter: rw}, r: r, corrID: newUUID()}
	c.w.Header().Set("X-HubSpot-Correlation-Id", c.corrID)
	defer s.logRequest(c, 0)

	rt, params := s.match(r)
	if rt == nil {
		s.writeError(c, http.StatusInternalServerError, "INTERNAL_ERROR", "no route in test fixture: "+r.URL.Path, nil)
		return
	}
	h := rt.h
	c.params = params

	if rt.devKey {
		// Developer-account routes (timeline event templates) take the
		// developer API key in ?hapikey=, not a bearer token (reference §1).
		if key := r.URL.Query().Get("hapikey"); key == "" || key != s.cfg.developerKey {
			s.writeError(c, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
				"The developer API key provided is invalid. View or manage your API key at https://app.hubspot.com/l/api-key/", nil)
			return
		}
	} else {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !s.tokenOK(strings.TrimSpace(token)) {
			s.writeError(c, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
				"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", nil)
			return
		}
		c.token = strings.TrimSpace(token)
	}

	if f, ok := s.takeFault(r); ok {
		if s.applyFault(c, f) {
			return
		}
	}

	if !s.checkRate(c) {
		return
	}

	if r.ContentLength > s.cfg.maxBodyBytes {
		s.writeTooLarge(c)
		return
	}
	if r.Body != nil {
		body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, s.cfg.maxBodyBytes))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				s.writeTooLarge(c)
				return
			}
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Could not read request body: "+err.Error(), nil)
			return
		}
		c.body = body
	}
	h(c)
}

func (s *Server) tokenOK(token string) bool {
	return token != "" && (slices.Contains(s.cfg.tokens, token) || s.oauthToken(token))
}

// oauthToken reports whether token is a public app's OAuth token.
func (s *Server) oauthToken(token string) bool {
	for _, t := range s.cfg.oauthTokens {
		if t == token && token != "" {
			return true
		}
	}
	return false
}

func (s *Server) writeTooLarge(c *call) {
	s.writeError(c, http.StatusRequestEntityTooLarge, "VALIDATION_ERROR",
		fmt.Sprintf("Request body is larger than the limit of %d bytes", s.cfg.maxBodyBytes), nil)
}

// route is one served operation; segs holds literal segments or "{name}".
type route struct {
	method string
	segs   []string
	h      func(*call)
	devKey bool // authenticated by ?hapikey= instead of a bearer token
}

func (s *Server) handle(method, pattern string, h func(*call)) {
	s.routes = append(s.routes, route{method: method, segs: strings.Split(strings.Trim(pattern, "/"), "/"), h: h})
}

// handleDev registers a developer-account route (?hapikey= auth).
func (s *Server) handleDev(method, pattern string, h func(*call)) {
	s.handle(method, pattern, h)
	s.routes[len(s.routes)-1].devKey = true
}

// match finds the route for r. Routes with more literal segments win, so
// /properties/{objectType}/groups beats /properties/{objectType}/{name}.
func (s *Server) match(r *http.Request) (*route, map[string]string) {
	raw := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	segs := make([]string, len(raw))
	for i, p := range raw {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, nil
		}
		segs[i] = u
	}
	var best *route
	var bestParams map[string]string
	bestLit := -1
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.method != r.Method || len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		lit := 0
		ok := true
		for j, seg := range rt.segs {
			if strings.HasPrefix(seg, "{") {
				if segs[j] == "" {
					ok = false
					break
				}
				params[strings.Trim(seg, "{}")] = segs[j]
				continue
			}
			if seg != segs[j] {
				ok = false
				break
			}
			lit++
		}
		if ok && lit > bestLit {
			best, bestParams, bestLit = rt, params, lit
		}
	}
	if best == nil {
		return nil, nil
	}
	return best, bestParams
}

func (s *Server) buildRoutes() []route {
	s.routes = nil
	// Contacts (reference §4).
	s.handle("GET", "/crm/v3/objects/contacts", s.listContacts)
	s.handle("GET", "/crm/v3/objects/contacts/{contactId}", s.getContact)
	s.handle("DELETE", "/crm/v3/objects/contacts/{contactId}", s.deleteContact)
	s.handle("POST", "/crm/v3/objects/contacts/batch/upsert", s.batchUpsertContacts)
	s.handle("POST", "/crm/v3/objects/contacts/batch/read", s.batchReadContacts)
	s.handle("POST", "/crm/v3/objects/contacts/batch/archive", s.batchArchiveContacts)
	// Properties and groups (reference §5).
	s.handle("GET", "/crm/v3/properties/{objectType}", s.listProperties)
	s.handle("POST", "/crm/v3/properties/{objectType}", s.createProperty)
	s.handle("POST", "/crm/v3/properties/{objectType}/batch/create", s.batchCreateProperties)
	s.handle("POST", "/crm/v3/properties/{objectType}/batch/read", s.batchReadProperties)
	s.handle("GET", "/crm/v3/properties/{objectType}/{propertyName}", s.getProperty)
	s.handle("GET", "/crm/v3/properties/{objectType}/groups", s.listGroups)
	s.handle("POST", "/crm/v3/properties/{objectType}/groups", s.createGroup)
	s.handle("GET", "/crm/v3/properties/{objectType}/groups/{groupName}", s.getGroup)
	// Users of the account (reference §9); the spec and the docs disagree on the path.
	s.handle("GET", "/settings/v3/users", s.listUsers)
	s.handle("GET", "/settings/users/v3", s.listUsers)
	s.handle("GET", "/settings/v3/users/{userId}", s.getUser)
	s.marketingRoutes()
	s.timelineRoutes()
	s.callRoutes()
	return s.routes
}

// errorBody is the spec's Error schema plus the 429 extras (reference §2, §3).
type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
	ErrorType     string              `json:"errorType,omitempty"`
	PolicyName    string              `json:"policyName,omitempty"`
	RequestID     string              `json:"requestId,omitempty"`
}

// errorDetail is the spec's ErrorDetail schema.
type errorDetail struct {
	Message     string              `json:"message"`
	Code        string              `json:"code,omitempty"`
	In          string              `json:"in,omitempty"`
	SubCategory string              `json:"subCategory,omitempty"`
	Context     map[string][]string `json:"context,omitempty"`
}

// standardError is the spec's StandardError: one entry of a batch `errors[]`.
type standardError struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context"`
	Errors   []errorDetail       `json:"errors"`
	Links    map[string]string   `json:"links"`
	ID       string              `json:"id,omitempty"`
}

func newStandardError(category, message string, context map[string][]string) standardError {
	if context == nil {
		context = map[string][]string{}
	}
	return standardError{Status: "error", Category: category, Message: message, Context: context,
		Errors: []errorDetail{}, Links: map[string]string{}}
}

func (s *Server) writeError(c *call, status int, category, message string, edit func(*errorBody)) {
	b := errorBody{Status: "error", Message: message, CorrelationID: c.corrID, Category: category}
	if edit != nil {
		edit(&b)
	}
	s.writeJSON(c, status, b)
}

func (s *Server) writeJSON(c *call, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(c.w, "hubspottest: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "application/json;charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
}

// decode parses the request body into v; on failure it answers 400 the way
// HubSpot does for unreadable JSON and returns false.
func (s *Server) decode(c *call, v any) bool {
	if len(bytes.TrimSpace(c.body)) == 0 {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: the request body is empty", nil)
		return false
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: "+err.Error(), nil)
		return false
	}
	return true
}

// shuffle reorders a batch's results (HubSpot does not keep input order).
func shuffle[T any](s *Server, xs []T) {
	s.rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// isoTime formats like HubSpot: UTC, milliseconds, Z.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Server) now() time.Time { return s.cfg.now().UTC().Truncate(time.Millisecond) }
