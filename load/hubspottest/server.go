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
//	POST   /crm/v3/objects/contacts/gdpr-delete          204, gone for good (block list for unknown emails) / 404
//	GET    /crm/v3/objects/{objectType}                  list of contacts, calls, marketing events (0-54); ?limit ≤100 &after
//	GET    /crm/v3/properties/{objectType}               and POST (201 / 409 / 400)
//	GET    /crm/v3/properties/{objectType}/{name}        404 when absent
//	POST   /crm/v3/properties/{objectType}/batch/create  201 / 207
//	POST   /crm/v3/properties/{objectType}/batch/read    200 / 207
//	GET    /crm/v3/properties/{objectType}/groups        and POST (201 / 409)
//	GET    /crm/v3/properties/{objectType}/groups/{name}
//	GET    /settings/v3/users, /settings/users/v3        ?limit ≤100 &after; and POST (201 / 400 / 409)
//	GET    /settings/v3/users/{userId}                   ?idProperty=USER_ID|EMAIL
//	GET    /account-info/v3/details                      portalId (WithPortalID), timeZone, uiDomain, …
//	POST   /oauth/v2/private-apps/get/access-token-info  the private-app token's scopes (WithScopes)
//	POST   /marketing/v3/marketing-events/events/upsert  200 / 400
//	GET    /marketing/v3/marketing-events/events/{externalEventId}  ?externalAccountId, with counts
//	POST   /marketing/v3/marketing-events/attendance/{externalEventId}/{state}/create        by contact id
//	POST   /marketing/v3/marketing-events/attendance/{externalEventId}/{state}/email-create  creates contacts
//	GET    /marketing/v3/marketing-events/participations/{externalAccountId}/{externalEventId}[/breakdown]
//	GET    /crm/v3/timeline/{appId}/event-templates[/{id}]  and POST; ?hapikey= (developer key)
//	POST   /crm/v3/timeline/events, /events/batch/create  OAuth token only (403 for private apps)
//	GET    /crm/v3/timeline/events/{eventTemplateId}/{eventId}
//	       (every timeline route is also served under /integrators/timeline/v3;
//	       a template create for a WithNewApp app answers 403)
//	GET    /events/v3/event-definitions[/{eventName}]    and POST (201 / 409); custom events need
//	                                                     WithHubTier("enterprise") and the scopes (403)
//	POST   /events/v3/send, /events/v3/send/batch        204; every send is stored (no dedupe)
//	GET    /events/v3/events                             occurrences ?objectType=contact &objectId &eventType &property.<name>
//	POST   /crm/v3/objects/calls/batch/create            201 / 207 / 400 / 409
//	POST   /crm/v3/objects/calls/batch/read              ?archived, by id or a unique idProperty; 200 / 207
//	POST   /crm/v3/objects/calls/batch/update            200 / 207 / 400 / 404 / 409
//	POST   /crm/v3/objects/calls/batch/upsert            by a unique idProperty: creates or updates ("new"); 200 / 207 / 400 / 409
//	POST   /crm/v4/associations/calls/contacts/batch/create  201 / 207 / 400
//	GET    /crm/v3/objects/calls/{callId}                ?associations=contacts
//
// Properties created with hasUniqueValue: true are unique per object type:
// a create or update giving a second object the value is refused (409).
//
// Faults (WithFault, AddFault, or ParseFaults for `zoomsync sim hubspot
// --faults SPEC`) are named in specs by their kebab-case kind: 429-burst
// (TEN_SECONDLY_ROLLING), 429-daily (DAILY), 423, 5xx, stall, malformed
// (200, truncated body, nothing applied), reset (connection dropped, nothing
// applied), expired-token, and the kinds that apply the write first:
// reset-after-commit (connection dropped), 504-after-commit,
// truncated-after-commit (its status, body cut off) and 207-partial (some
// rows failed, the rest applied). WithLatency adds a seeded per-request
// delay.
//
// Routes are http.ServeMux patterns (Routes lists them); a middleware around
// the muxes checks every request in this order: route, bearer token (401; the
// developer key for template routes), injected faults, rate limits (429,
// headers), body size (413), then hands it to the route's handler. WaitIdle
// waits for the requests in flight, stalled ones included.
//
// Shape it like net/http/httptest:
//
//	srv := hubspottest.NewServer(hubspottest.WithTier("free"))
//	defer srv.Close()
//	client := hubspot.NewClient(hubspot.WithBaseURL(srv.URL), ...)
package hubspottest

import (
	"context"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
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
	events       eventsConfig // public-app and custom-events availability (events.go)
	tier         string
	burst        int // requests per 10 s window per token; 0 = unlimited
	daily        int // requests per day per account; 0 = unlimited
	faults       []Fault
	maxBodyBytes int64
	seed         int64
	portalID     int64
	scopes       []string      // the private-app token's scopes (tokeninfo.go)
	latency      time.Duration // mean added delay per request
	jitter       time.Duration // the delay is uniform in latency ± jitter
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

// WithLatency delays every request by mean ± jitter (uniform, drawn from a
// generator seeded like WithShuffleSeed), as a real network's round trip
// would, before anything else is done with it: realistic conditions for
// tests and benchmarks of pipelined writes. A negative draw is no delay.
func WithLatency(mean, jitter time.Duration) Option {
	return func(c *config) { c.latency, c.jitter = mean, max(jitter, 0) }
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

	hs   *httptest.Server
	cfg  config
	log  *slog.Logger
	dev  routeSet // developer-key routes
	api  routeSet // bearer-token routes
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	inflight int           // requests being handled
	idle     chan struct{} // closed when inflight falls to 0
	rng      *mrand.Rand   // result order
	lrng     *mrand.Rand   // latency draws
	faults   []*faultState
	requests []Request
	limits   rateState
	contacts *contactStore
	props    map[string]*propertyStore // by canonical object type
	users    []user
	nextUser int
	mevents  *marketingStore
	timeline *timelineStore
	cevents  *customEventStore
	calls    *callStore
	blocked  []string // GDPR block list: emails deleted before any contact had them
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
	cfg := config{developerKey: DefaultDeveloperKey, appID: DefaultAppID, tier: "professional",
		maxBodyBytes: DefaultMaxBodyBytes, seed: defaultShuffleSeed, portalID: DefaultPortalID, now: time.Now}
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
		lrng:     mrand.New(mrand.NewPCG(uint64(cfg.seed), 0x6c8e9cf570932bd5)),
		contacts: newContactStore(),
		props:    defaultProperties(cfg.now()),
		nextUser: 1000001,
		mevents:  newMarketingStore(),
		timeline: newTimelineStore(),
		cevents:  newCustomEventStore(),
		calls:    newCallStore(),
	}
	for _, f := range cfg.faults {
		s.faults = append(s.faults, &faultState{f: f})
	}
	s.limits.burst = map[string][]time.Time{}
	s.buildRoutes()
	return s
}

// Close shuts the server down; stalled requests are released first.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	if s.hs != nil {
		s.hs.Close()
	}
}

// WaitIdle blocks until no request is being handled, or ctx ends. A stalled
// request counts until it is served: its stall ends when the client hangs up
// (or at the stall's end, or at Close), so a test waits here, not on the
// clock, for a write whose answer the client never read.
func (s *Server) WaitIdle(ctx context.Context) error {
	s.mu.Lock()
	if s.inflight == 0 {
		s.mu.Unlock()
		return nil
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
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

// isoTime formats like HubSpot: UTC, milliseconds, Z.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Server) now() time.Time { return s.cfg.now().UTC().Truncate(time.Millisecond) }
