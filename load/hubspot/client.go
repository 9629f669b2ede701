// Package hubspot is the REST client for the parts of the HubSpot API that
// zoomsync writes to: contact properties and groups, contacts, the users of
// the account, and CRM activity (marketing events, timeline events, calls).
//
// The shape follows go-github: one *Client built with options, one service
// per API area hanging off it (Properties, Contacts, Users, AccountInfo,
// MarketingEvents, Timeline, Events, Calls), shared plumbing (NewRequest, Do,
// CheckResponse) in this file and typed errors in errors.go. Every service
// method returns (T, *Response, error); a list's next cursor is
// Response.After and every ...Iter walks the pages with internal/paging.All.
// What a request needs besides itself (its credentials, whether it may be
// resent) is a RequestOption given to NewRequest, carried on the request,
// never in its context.
//
// Every request goes through three layers:
//
//  1. Client.Do refuses to send when the last answer said the daily quota is
//     spent (X-HubSpot-RateLimit-Daily-Remaining: 0) or a DAILY 429 was seen.
//  2. An httpretry.Transport retries what Classify calls transient (transport
//     errors, 5xx, 423, burst and secondly 429s), replaying JSON bodies
//     through GetBody. A DAILY 429 is never retried.
//  3. Each attempt waits on the client-side limiter (golang.org/x/time/rate),
//     is sent with the configured *http.Client (whose Timeout therefore bounds
//     one attempt, not the whole call) and has its rate-limit headers recorded.
package hubspot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zoomsync/zoomsync/internal/httpretry"
)

const (
	// DefaultBaseURL is HubSpot's API host.
	DefaultBaseURL = "https://api.hubapi.com/"
	// DefaultTier is the limiter tier used when WithTier is not given.
	DefaultTier = "professional"
	// MaxBatchInputs is the most inputs one CRM batch call accepts (101 → 400).
	MaxBatchInputs = 100

	defaultTimeout = 60 * time.Second
	defaultMinWait = time.Second
	defaultMaxWait = 60 * time.Second

	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 1 << 20
	// maxSuccessBody bounds a successful answer (a page of 100 contacts is far smaller).
	maxSuccessBody = 64 << 20
	userAgent      = "zoomsync-hubspot"
)

// Option configures a Client.
type Option func(*options)

// options are the settings of a Client, fixed by NewClient.
type options struct {
	baseURL       string
	token         string
	oauthToken    string // public app's OAuth token for timeline events (timeline.go)
	developerKey  string // developer API key for timeline templates (timeline.go)
	appID         string // public app id owning the templates (timeline.go)
	httpClient    *http.Client
	perTenSeconds int
	maxInFlight   int // 0: InFlight sizes it
	maxRetries    int
	minWait       time.Duration
	maxWait       time.Duration
	logger        *slog.Logger
	err           error // a configuration mistake, reported by every call
}

// WithBaseURL points the client at another host (a simulator in tests).
// Default https://api.hubapi.com.
func WithBaseURL(u string) Option {
	return func(o *options) { o.baseURL = u }
}

// WithToken sets the private-app or OAuth access token sent as
// "Authorization: Bearer". The token never appears in logs or errors.
func WithToken(token string) Option {
	return func(o *options) { o.token = token }
}

// WithHTTPClient sets the client each attempt is sent with. Its Timeout bounds
// one attempt; retries, the limiter and the rate-limit bookkeeping are layered
// around it. Default: an *http.Client with a 60 s timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.httpClient = hc }
}

// WithTier sets the client-side burst limiter (limiter.go) from the account tier:
// "free" and "starter" allow 100 requests per 10 s, "professional" and
// "enterprise" 190 (the default), "unlimited" switches the limiter off.
// An unknown tier makes every call fail with an error naming it.
func WithTier(tier string) Option {
	return func(o *options) {
		switch strings.ToLower(strings.TrimSpace(tier)) {
		case "free", "starter":
			o.perTenSeconds = 100
		case "professional", "enterprise":
			o.perTenSeconds = 190
		case "unlimited":
			o.perTenSeconds = 0
		default:
			o.err = fmt.Errorf("hubspot: unknown tier %q (want free, starter, professional, enterprise or unlimited)", tier)
		}
	}
}

// WithRateLimit sets the client-side limiter to at most perTenSeconds
// requests in any 10 s (the API Limit Increase pack allows 250). Zero or
// less switches the limiter off.
func WithRateLimit(perTenSeconds int) Option {
	return func(o *options) { o.perTenSeconds = max(perTenSeconds, 0) }
}

// WithMaxInFlight caps InFlight, the writes a load keeps in flight (1:
// one batch at a time). Default: sized from the measured round trip.
func WithMaxInFlight(n int) Option {
	return func(o *options) { o.maxInFlight = max(n, 0) }
}

// WithRetry sets how often a transient failure is retried and the bounds of
// one wait (Retry-After and the 10 s burst-window rule included). Defaults
// httpretry.DefaultMaxRetries (6), 1 s, 60 s. maxRetries 0 means no retry.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(o *options) {
		o.maxRetries, o.minWait, o.maxWait = max(maxRetries, 0), minWait, maxWait
	}
}

// WithLogger sets the logger; requests and retries are logged at Debug.
// nil discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// Client talks to the HubSpot API. It is safe for concurrent use.
type Client struct {
	opts    options // fixed after NewClient
	baseURL *url.URL
	limiter *windowLimiter // quota 0: unlimited

	rateMu       sync.Mutex
	rateLimits   RateLimits
	dailyBlocked string // non-empty: why no request may be sent until a new Client is made

	common      service
	Properties  *PropertiesService
	Contacts    *ContactsService
	Users       *UsersService
	AccountInfo *AccountInfoService

	MarketingEvents *MarketingEventsService
	Timeline        *TimelineService
	Events          *EventsService
	Calls           *CallsService
}

type service struct{ client *Client }

// NewClient returns a client configured by opts. Configuration mistakes (an
// unparsable base URL, an unknown tier) are reported by every call.
func NewClient(opts ...Option) *Client {
	o := options{
		baseURL:    DefaultBaseURL,
		maxRetries: httpretry.DefaultMaxRetries,
		minWait:    defaultMinWait,
		maxWait:    defaultMaxWait,
	}
	WithTier(DefaultTier)(&o)
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.httpClient == nil {
		o.httpClient = &http.Client{Timeout: defaultTimeout}
	}
	if o.minWait <= 0 {
		o.minWait = defaultMinWait
	}
	if o.maxWait <= 0 {
		o.maxWait = defaultMaxWait
	}
	c := &Client{}
	u, err := parseBaseURL(o.baseURL)
	if err != nil && o.err == nil {
		o.err = err
	}
	c.opts, c.baseURL = o, u
	c.limiter = newWindowLimiter(o.perTenSeconds, burstWindow)

	c.common.client = c
	c.Properties = (*PropertiesService)(&c.common)
	c.Contacts = (*ContactsService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	c.AccountInfo = (*AccountInfoService)(&c.common)
	c.MarketingEvents = (*MarketingEventsService)(&c.common)
	c.Timeline = (*TimelineService)(&c.common)
	c.Events = (*EventsService)(&c.common)
	c.Calls = (*CallsService)(&c.common)
	return c
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("hubspot: invalid base URL %q", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u, nil
}

// InFlight is how many requests a load keeps in flight to spend the
// client's quota: while the burst window has room, as many as it has (at
// most 16); once it is spent, the quota's rate × the whole cycle of a
// request (the round trip measured so far plus extra, the caller's own
// time per request), plus one. One before any answer; four without a
// limit. Every request of the client, whoever sends it, waits on the one
// limiter, so more in flight never exceeds the quota. WithMaxInFlight caps
// it.
func (c *Client) InFlight(extra time.Duration) int {
	n := c.limiter.inFlight(time.Now(), extra)
	if m := c.opts.maxInFlight; m > 0 {
		return min(m, n)
	}
	return n
}

// RateLimits is what the X-HubSpot-RateLimit-* headers of the latest answer
// said. A field is -1 when its header was never seen (OAuth apps get no
// daily headers; search answers carry none).
type RateLimits struct {
	Daily             int
	DailyRemaining    int
	IntervalMillis    int
	Max               int
	Remaining         int
	Secondly          int
	SecondlyRemaining int
	// Seen is when headers were last recorded; zero if never.
	Seen time.Time
}

// RateLimits returns the rate-limit headers last seen.
func (c *Client) RateLimits() RateLimits {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	if c.rateLimits.Seen.IsZero() {
		return RateLimits{-1, -1, -1, -1, -1, -1, -1, time.Time{}}
	}
	return c.rateLimits
}

// recordRateLimits keeps the rate-limit headers of resp, if it has any.
func (c *Client) recordRateLimits(h http.Header) {
	read := func(name string) (int, bool) {
		v := h.Get("X-HubSpot-RateLimit-" + name)
		if v == "" {
			return 0, false
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, err == nil
	}
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	seen := false
	for _, f := range []struct {
		name string
		dst  *int
	}{
		{"Daily", &c.rateLimits.Daily},
		{"Daily-Remaining", &c.rateLimits.DailyRemaining},
		{"Interval-Milliseconds", &c.rateLimits.IntervalMillis},
		{"Max", &c.rateLimits.Max},
		{"Remaining", &c.rateLimits.Remaining},
		{"Secondly", &c.rateLimits.Secondly},
		{"Secondly-Remaining", &c.rateLimits.SecondlyRemaining},
	} {
		if n, ok := read(f.name); ok {
			if c.rateLimits.Seen.IsZero() && !seen {
				c.rateLimits = RateLimits{-1, -1, -1, -1, -1, -1, -1, time.Time{}}
			}
			*f.dst = n
			seen = true
		}
	}
	if !seen {
		return
	}
	c.rateLimits.Seen = time.Now()
	if n, ok := read("Max"); ok {
		c.limiter.learn(n)
	}
	if n, ok := read("Daily-Remaining"); ok && n <= 0 {
		c.dailyBlocked = "daily limit spent (X-HubSpot-RateLimit-Daily-Remaining: 0)"
	}
}

// blockDaily stops all later calls: HubSpot said the daily quota is gone.
// There is no reset time to wait for (midnight in the account's time zone),
// so the block lasts for the life of the Client; the next run makes a new one.
func (c *Client) blockDaily(why string) {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	if c.dailyBlocked == "" {
		c.dailyBlocked = why
	}
}

func (c *Client) checkDailyLimit(req *http.Request) error {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	if c.dailyBlocked == "" {
		return nil
	}
	return &RateLimitError{
		Policy:  PolicyDaily,
		Message: "not sent: " + c.dailyBlocked,
		Method:  req.Method,
		Path:    req.URL.Path,
	}
}

// RequestOption adjusts one request built by NewRequest.
type RequestOption func(*requestOptions)

// requestOptions are what Do needs to know about a request besides the
// request itself: how it is authenticated and whether it may be resent.
type requestOptions struct {
	auth     authMode
	noResend bool
}

type authMode string

const (
	authToken        authMode = ""                   // the WithToken bearer token
	authApp          authMode = "app-auth"           // the public app's OAuth token when configured
	authDeveloperKey authMode = "developer-key-auth" // ?hapikey=, no bearer token
	noResendFlag              = "no-resend"
)

// requestOptionsHeader carries a request's options from NewRequest to Do,
// on the request itself rather than in its context: Do reads and removes it
// before sending, so it never reaches the wire.
const requestOptionsHeader = "Zoomsync-Request-Options"

// WithAppAuth sends the request with the public app's OAuth token
// (WithOAuthToken) when one is configured, else with the WithToken token.
// Timeline events need it.
func WithAppAuth() RequestOption {
	return func(o *requestOptions) { o.auth = authApp }
}

// WithDeveloperKeyAuth sends the request with the developer API key
// (WithDeveloperKey) as ?hapikey= and no bearer token. Timeline templates
// need it.
func WithDeveloperKeyAuth() RequestOption {
	return func(o *requestOptions) { o.auth = authDeveloperKey }
}

// NoResend marks a write that must not be sent twice (an event template:
// HubSpot takes two of one name). Its attempts are retried only when
// HubSpot refused them unread (429, 423), never after a transport error or
// a 5xx: the first attempt may have been carried out even though its answer
// was lost. Such an error Is ErrUnknownOutcome.
func NoResend() RequestOption {
	return func(o *requestOptions) { o.noResend = true }
}

func readRequestOptions(h http.Header) requestOptions {
	var o requestOptions
	for _, v := range h.Values(requestOptionsHeader) {
		switch v {
		case string(authApp), string(authDeveloperKey):
			o.auth = authMode(v)
		case noResendFlag:
			o.noResend = true
		}
	}
	return o
}

// NewRequest builds a request for path (relative to the base URL, no leading
// slash) with query and, when body is not nil, body encoded as JSON. The body
// is a *bytes.Reader, so the request has GetBody and retries can replay it.
// No secret is put on the request: Do adds the credentials to its own copy.
func (c *Client) NewRequest(ctx context.Context, method, path string, query url.Values, body any, opts ...RequestOption) (*http.Request, error) {
	if c.opts.err != nil {
		return nil, c.opts.err
	}
	rel, err := url.Parse(strings.TrimPrefix(path, "/"))
	if err != nil {
		return nil, fmt.Errorf("hubspot: invalid path %q: %w", path, err)
	}
	u := c.baseURL.ResolveReference(rel)
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("hubspot: encoding %s %s body: %w", method, u.Path, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), r)
	if err != nil {
		return nil, fmt.Errorf("hubspot: building %s %s: %w", method, u.Path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var o requestOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.auth != authToken {
		req.Header.Add(requestOptionsHeader, string(o.auth))
	}
	if o.noResend {
		req.Header.Add(requestOptionsHeader, noResendFlag)
	}
	return req, nil
}

// Response is an answer whose body has been consumed by Do.
type Response struct {
	*http.Response
	// After is the cursor of the next page of a list (empty on the last
	// page, and for answers that are not pages).
	After string
}

// Do sends req and decodes a 2xx JSON answer into v (when v is not nil). A
// non-2xx answer becomes an *APIError or *RateLimitError (see CheckResponse).
// If the request's context is done when the call fails, the error is
// ctx.Err().
func (c *Client) Do(req *http.Request, v any) (*Response, error) {
	ctx := req.Context()
	if c.opts.err != nil {
		return nil, c.opts.err
	}
	ro := readRequestOptions(req.Header)
	req, err := c.authorize(req, ro.auth)
	if err != nil {
		return nil, err
	}
	if err := c.checkDailyLimit(req); err != nil {
		return nil, err
	}
	resp, err := c.transport(ro.noResend).RoundTrip(req)
	if err != nil {
		return nil, c.transportError(req, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
	}()
	response := &Response{Response: resp}
	if err := c.CheckResponse(resp); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, ErrDailyLimit) {
			c.blockDaily("a DAILY 429 was answered")
		}
		return response, err
	}
	if v == nil || resp.StatusCode == http.StatusNoContent {
		return response, nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxSuccessBody)).Decode(v); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return response, &DecodeError{Method: req.Method, Path: req.URL.Path, StatusCode: resp.StatusCode, Err: c.redacted(err)}
	}
	return response, nil
}

// authorize returns the copy of req that is sent: the credentials of auth
// added, the request options header removed. The caller's request never
// carries a secret.
func (c *Client) authorize(req *http.Request, auth authMode) (*http.Request, error) {
	out := req.Clone(req.Context())
	out.Header.Del(requestOptionsHeader)
	bearer := c.opts.token
	switch auth {
	case authApp:
		bearer = cmp.Or(c.opts.oauthToken, c.opts.token)
	case authDeveloperKey:
		if c.opts.developerKey == "" || c.opts.appID == "" {
			return nil, ErrNoDeveloperKey
		}
		q := out.URL.Query()
		q.Set("hapikey", c.opts.developerKey)
		out.URL.RawQuery = q.Encode()
		return out, nil
	}
	if bearer == "" {
		return nil, errors.New("hubspot: no access token configured (WithToken)")
	}
	out.Header.Set("Authorization", "Bearer "+bearer)
	return out, nil
}

// transport is the retrying transport of one call: the classifier counts
// the 429s of this call only, and knows whether the request may be resent.
func (c *Client) transport(noResend bool) http.RoundTripper {
	cl := &classifier{noResend: noResend}
	return &httpretry.Transport{
		Base:       attemptTransport{c: c, noResend: noResend},
		Classify:   cl.classify,
		MaxRetries: c.opts.maxRetries,
		MinWait:    c.opts.minWait,
		MaxWait:    c.opts.maxWait,
		Logger:     c.opts.logger,
	}
}

// transportError is the error of a call that got no answer: ctx.Err() once
// the context is done, the limiter's error, or the transport error with
// the secrets redacted from its text (and its chain kept), which for a
// write Is ErrUnknownOutcome.
func (c *Client) transportError(req *http.Request, err error) error {
	if ctx := req.Context(); ctx.Err() != nil {
		return ctx.Err()
	}
	if le, ok := errors.AsType[*limiterError](err); ok {
		return fmt.Errorf("hubspot: %s %s: %w", req.Method, req.URL.Path, le.err)
	}
	err = c.redacted(err)
	if req.Method != http.MethodGet && !errors.Is(err, ErrUnknownOutcome) {
		err = &lostAnswer{err} // the write may have been carried out
	}
	return fmt.Errorf("hubspot: %s %s: %w", req.Method, req.URL.Path, err)
}

// redact removes the secrets from text that came from elsewhere (a server
// message, a transport error).
func (c *Client) redact(s string) string {
	for _, secret := range []string{c.opts.token, c.opts.oauthToken, c.opts.developerKey} {
		if secret != "" && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// redacted is err, or when its text holds a secret, a *redactedError whose
// text has the secrets removed and which unwraps to err.
func (c *Client) redacted(err error) error {
	if text := c.redact(err.Error()); text != err.Error() {
		return &redactedError{text: text, err: err}
	}
	return err
}

// redactedError is an error whose text has its secrets removed; errors.Is
// and errors.As still see the original through Unwrap.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// attemptTransport sends one attempt: it waits on the limiter, sends with
// the configured *http.Client and records the rate-limit headers. A
// transport error of a NoResend request becomes an *unsureError, which is
// not retried.
type attemptTransport struct {
	c        *Client
	noResend bool
}

// limiterError is a limiter wait that cannot finish before the deadline; it
// is not retried.
type limiterError struct{ err error }

func (e *limiterError) Error() string { return "client-side rate limiter: " + e.err.Error() }
func (e *limiterError) Unwrap() error { return e.err }

// unsureError is a transport error of a NoResend request: it is not retried.
type unsureError struct{ err error }

func (e *unsureError) Error() string {
	return "outcome unknown, not resent: " + e.err.Error()
}
func (e *unsureError) Unwrap() error { return e.err }

// Is reports ErrUnknownOutcome.
func (e *unsureError) Is(target error) bool { return target == ErrUnknownOutcome }

func (t attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	ctx := req.Context()
	start, err := c.limiter.wait(ctx)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &limiterError{err}
	}
	resp, err := c.opts.httpClient.Do(req)
	c.limiter.done(start, time.Now(), err == nil)
	if err != nil {
		c.opts.logger.DebugContext(ctx, "hubspot request failed", "method", req.Method, "path", req.URL.Path,
			"duration", time.Since(start), "error", c.redact(err.Error()))
		if t.noResend {
			return nil, &unsureError{err}
		}
		return nil, err
	}
	c.recordRateLimits(resp.Header)
	if resp.StatusCode == http.StatusTooManyRequests {
		if p := peekPolicy(resp); p != PolicyDaily && p != PolicySecondly {
			c.limiter.backoff(time.Now())
		}
	}
	c.opts.logger.DebugContext(ctx, "hubspot request", "method", req.Method, "path", req.URL.Path,
		"status", resp.StatusCode, "duration", time.Since(start))
	if resp.StatusCode/100 == 2 && isRead(req) {
		return wholeBody(resp)
	}
	return resp, nil
}

// isRead reports whether req only reads: a GET, or a POST to a batch read
// or a search. Reads are safe to repeat, so a damaged answer to one is
// retried like a transport error (a write's is an unknown outcome: Do).
func isRead(req *http.Request) bool {
	p := req.URL.Path
	return req.Method == http.MethodGet ||
		req.Method == http.MethodPost && (strings.HasSuffix(p, "/batch/read") || strings.HasSuffix(p, "/search"))
}

// errDamagedBody is the transport-level error of a 2xx answer whose body
// was cut off or is not JSON: the retry transport tries the read again.
var errDamagedBody = errors.New("the answer's body was cut off or is not valid JSON")

// wholeBody reads a read's answer whole within the attempt, so that a
// body cut off mid-stream or malformed fails this attempt (and is retried)
// instead of the decode in Do.
func wholeBody(resp *http.Response) (*http.Response, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSuccessBody))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errDamagedBody, err)
	}
	if len(bytes.TrimSpace(b)) > 0 && !json.Valid(b) {
		return nil, errDamagedBody
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}
