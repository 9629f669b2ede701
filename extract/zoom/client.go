// Package zoom is the client for the parts of the Zoom REST API v2 that
// zoomsync reads: users, webinars, registrants, panelists, past instances,
// absentees, webinar reports, users' meeting reports and cloud recordings
// (with the download of their files), and Zoom Events' events and sessions
// (to tell the webinars created there apart).
//
// The shape follows go-github: one *Client carries the plumbing (auth, rate
// limits, retries, error decoding) and hangs one service per API area off it
// (Users, Webinars, Reports, Recordings, Events). Methods take ctx first and return
// (value, *Response, error), the paging cursor on Response.NextPageToken;
// paginated endpoints have a single-page method and an iterator, built on
// internal/paging.All, that walks every page. Client.Do(req, v) takes its
// context from the request.
//
// Under every request sit, in order: a client-side token bucket per Zoom rate
// limit label (Light, Medium, Heavy, Resource-intensive), a Server-to-Server
// OAuth token cached for the process, and the shared retrying transport
// (internal/httpretry) that retries transport errors, 5xx and per-second 429s.
// A 2xx body is read whole inside each try, so that a body cut off
// mid-stream or malformed JSON after a 200 is retried like a transport error.
// A daily-limit 429 is never retried: it becomes a *RateLimitError
// (errors.Is(err, ErrDailyLimit)) and later calls of the same label fail at
// once, without reaching Zoom, until the limit resets.
package zoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zoomsync/zoomsync/internal/httpretry"
	"github.com/zoomsync/zoomsync/internal/paging"
)

const (
	// DefaultBaseURL is Zoom's API base.
	DefaultBaseURL = "https://api.zoom.us/v2"
	// DefaultOAuthURL is Zoom's Server-to-Server OAuth token endpoint.
	DefaultOAuthURL = "https://zoom.us/oauth/token"
	// DefaultPageSize is the page size the client asks for when
	// ListOptions.PageSize is zero: Zoom's maximum.
	DefaultPageSize = 300

	defaultTimeout = 60 * time.Second
	// maxBodyBytes bounds a successful response body; a page of 300
	// participants is a few hundred KiB.
	maxBodyBytes = 64 << 20
	// maxErrorBodyBytes bounds an error body.
	maxErrorBodyBytes = 64 << 10
)

// Option configures a Client.
type Option func(*options)

type options struct {
	baseURL      string
	baseExplicit bool
	oauthURL     string
	accountID    string
	clientID     string
	clientSecret string
	httpClient   *http.Client
	plan         string
	limits       map[Category]Limit
	maxRetries   int
	minWait      time.Duration
	maxWait      time.Duration
	logger       *slog.Logger
	onRetry      func(*http.Request, httpretry.Decision, time.Duration)
	clock        clock // the token buckets' time; tests set a fake one
}

// WithBaseURL sets the API base, e.g. a simulator's "http://127.0.0.1:1234/v2".
// The default is DefaultBaseURL. When the base is not set explicitly, the
// api_url a token response names (Zoom's regional host) is used instead of
// the default host; an explicit base always wins.
func WithBaseURL(apiURL string) Option {
	return func(o *options) { o.baseURL, o.baseExplicit = apiURL, true }
}

// WithOAuthURL sets the token endpoint; the default is DefaultOAuthURL.
func WithOAuthURL(u string) Option {
	return func(o *options) { o.oauthURL = u }
}

// WithCredentials sets the Server-to-Server OAuth app credentials.
func WithCredentials(accountID, clientID, clientSecret string) Option {
	return func(o *options) { o.accountID, o.clientID, o.clientSecret = accountID, clientID, clientSecret }
}

// WithHTTPClient sets the client whose transport, timeout and redirect policy
// each single try goes through (its Timeout bounds one try, not the retries).
// The default is an http.Client with a 60 s timeout.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.httpClient = c }
}

// WithPlan picks the client-side QPS limits of a Zoom plan: "pro" (the
// default), "business" (Business, Education, Enterprise, Partner), "free", or
// "unlimited" (no client-side limit, for simulators). An unknown plan makes
// every call fail with a configuration error; PlanLimits validates a name
// up front.
func WithPlan(plan string) Option {
	return func(o *options) { o.plan = plan }
}

// WithRateLimits overrides the client-side limit of some labels, on top of
// the plan's. A Limit with PerSecond <= 0 turns the client-side limit of that
// label off.
func WithRateLimits(l map[Category]Limit) Option {
	return func(o *options) {
		if o.limits == nil {
			o.limits = make(map[Category]Limit, len(l))
		}
		for k, v := range l {
			o.limits[k] = v
		}
	}
}

// WithRetry sets how transient failures are retried: at most maxRetries
// tries after the first (0 disables retries), with an exponential backoff
// starting at minWait and capped, Retry-After included, at maxWait.
// Defaults: 6, 1s, 60s.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(o *options) { o.maxRetries, o.minWait, o.maxWait = maxRetries, minWait, maxWait }
}

// WithLogger sets the logger; requests are logged at Debug, never with the
// token. nil discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithOnRetry registers a function called before each retry wait, for
// metrics and tests. It must be safe for concurrent use.
func WithOnRetry(fn func(req *http.Request, d httpretry.Decision, wait time.Duration)) Option {
	return func(o *options) { o.onRetry = fn }
}

// Client talks to the Zoom REST API. It is safe for concurrent use.
type Client struct {
	// err is a configuration error found by NewClient; every call returns it.
	err error

	baseURL      *url.URL
	baseExplicit bool
	oauthURL     *url.URL
	hc           *http.Client // retrying; under it, one try goes through the caller's client
	// dl sends recording downloads: retrying, and redirects are never followed by it
	// (Download follows them itself, without the token).
	dl     *http.Client
	auth   *tokenCache
	limits *limiters
	logger *slog.Logger
	now    func() time.Time
	// sharedHeavyPool: Heavy and Resource-intensive share one daily pool
	// (paid plans).
	sharedHeavyPool bool

	rateMu    sync.Mutex
	lastRate  map[Category]RateLimit       // last X-RateLimit-* seen per label
	exhausted map[Category]*RateLimitError // daily limits hit, until their Reset

	common service

	Users      *UsersService
	Webinars   *WebinarsService
	Reports    *ReportsService
	Recordings *RecordingsService
	Events     *EventsService
}

type service struct{ client *Client }

// NewClient returns a Client. Configuration errors (a bad URL, an unknown
// plan) do not panic: every call on the client returns them.
func NewClient(opts ...Option) *Client {
	o := options{
		baseURL:    DefaultBaseURL,
		oauthURL:   DefaultOAuthURL,
		plan:       "pro",
		maxRetries: httpretry.DefaultMaxRetries,
		minWait:    time.Second,
		maxWait:    60 * time.Second,
		clock:      wallClock{},
	}
	for _, opt := range opts {
		opt(&o)
	}
	c := &Client{
		baseExplicit: o.baseExplicit,
		logger:       o.logger,
		now:          time.Now,
		lastRate:     make(map[Category]RateLimit),
		exhausted:    make(map[Category]*RateLimitError),
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	base, err := parseAbsURL(o.baseURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("zoom: base URL: %w", err))
	}
	c.baseURL = base
	oauthURL, err := parseAbsURL(o.oauthURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("zoom: OAuth URL: %w", err))
	}
	c.oauthURL = oauthURL
	limits, err := PlanLimits(o.plan)
	if err != nil {
		errs = append(errs, err)
	}
	for k, v := range o.limits {
		if limits == nil {
			limits = make(map[Category]Limit)
		}
		limits[k] = v
	}
	c.limits = newLimiters(limits, o.clock)
	c.sharedHeavyPool = !strings.EqualFold(o.plan, "free")
	c.err = errors.Join(errs...)

	single := o.httpClient
	if single == nil {
		single = &http.Client{Timeout: defaultTimeout}
	}
	classify := c.classify
	c.hc = &http.Client{
		Transport: &httpretry.Transport{
			Base:       wholeBodyTransport{doerTransport{single}},
			Classify:   classify,
			MaxRetries: o.maxRetries,
			MinWait:    o.minWait,
			MaxWait:    o.maxWait,
			Logger:     c.logger,
			OnRetry:    o.onRetry,
		},
		// The single-try client already followed redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.auth = newTokenCache(o.oauthURL, o.accountID, o.clientID, o.clientSecret, c.hc)

	// Downloads: the caller's transport and timeout, but no redirect following, so that
	// the token goes to the download_url only (recordings.go).
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	dlClassify := classifyDownload(classify)
	dlSingle := &http.Client{Transport: single.Transport, Timeout: single.Timeout, Jar: single.Jar, CheckRedirect: noFollow}
	c.dl = &http.Client{
		Transport: &httpretry.Transport{
			Base:       doerTransport{dlSingle},
			Classify:   dlClassify,
			MaxRetries: o.maxRetries,
			MinWait:    o.minWait,
			MaxWait:    o.maxWait,
			Logger:     c.logger,
			OnRetry:    o.onRetry,
		},
		CheckRedirect: noFollow,
	}

	c.common.client = c
	c.Users = (*UsersService)(&c.common)
	c.Webinars = (*WebinarsService)(&c.common)
	c.Reports = (*ReportsService)(&c.common)
	c.Recordings = (*RecordingsService)(&c.common)
	c.Events = (*EventsService)(&c.common)
	return c
}

func parseAbsURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL", s)
	}
	return u, nil
}

// httpDoer is what a single try needs from the caller's client.
type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// doerTransport sends one try through an http.Client, so that the caller's
// Timeout applies per try rather than to all retries together.
type doerTransport struct{ c httpDoer }

func (t doerTransport) RoundTrip(req *http.Request) (*http.Response, error) { return t.c.Do(req) }

// errDamagedBody: a 2xx answer whose body was cut off or is not the JSON it
// says it is. It is damage in transit, not an answer: the try fails like a
// transport error and the retrying transport sends the request again.
var errDamagedBody = errors.New("damaged response body")

// wholeBodyTransport reads the body of every 2xx answer inside the try
// (under the caller's per-try timeout), so that a body cut off mid-stream
// or a malformed JSON body after a 200 is retried within the retry budget
// rather than failing the call after the retries are over. Larger bodies
// than maxBodyBytes are passed on cut at maxBodyBytes+1, for send to refuse.
type wholeBodyTransport struct{ base http.RoundTripper }

func (t wholeBodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: reading it: %w", errDamagedBody, err)
	}
	if len(body) <= maxBodyBytes && isJSON(resp.Header) && len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		return nil, fmt.Errorf("%w: %d bytes of malformed JSON after a %d", errDamagedBody, len(body), resp.StatusCode)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func isJSON(h http.Header) bool {
	return strings.Contains(strings.ToLower(h.Get("Content-Type")), "json")
}

// Response is a Zoom API response. The body has already been read and closed.
type Response struct {
	*http.Response

	// NextPageToken is the token of the next page; "" on the last page.
	NextPageToken string
	PageSize      int
	TotalRecords  int

	// RateLimit holds the X-RateLimit-* headers of this call's last answer.
	RateLimit RateLimit
}

// ListOptions are the paging parameters every list endpoint takes.
type ListOptions struct {
	// PageSize is the number of records per page; 0 means DefaultPageSize.
	// Zoom clamps it to 300.
	PageSize int
	// NextPageToken asks for the page after the one that returned it.
	NextPageToken string
}

func (o *ListOptions) addTo(q url.Values) {
	size := DefaultPageSize
	if o != nil && o.PageSize > 0 {
		size = o.PageSize
	}
	q.Set("page_size", strconv.Itoa(size))
	if o != nil && o.NextPageToken != "" {
		q.Set("next_page_token", o.NextPageToken)
	}
}

// page is the paging envelope of Zoom's list responses.
type page struct {
	PageSize      int    `json:"page_size"`
	NextPageToken string `json:"next_page_token"`
	TotalRecords  int    `json:"total_records"`
}

// NewRequest builds a request for path (relative to the base URL, e.g.
// "webinars/123/registrants") with query q. path must already be escaped:
// EncodeUUID the instance uuids in it.
func (c *Client) NewRequest(ctx context.Context, method, path string, q url.Values, body any) (*http.Request, error) {
	if c.err != nil {
		return nil, c.err
	}
	s := c.baseURL.String() + "/" + strings.TrimPrefix(path, "/")
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("zoom: building URL for %s: %w", path, err)
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("zoom: encoding request body for %s: %w", path, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), r)
	if err != nil {
		return nil, err
	}
	// http.NewRequest re-parses the string; keep the exact escaping we built
	// (double-encoded uuids) in RawPath.
	req.URL = u
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	return req, nil
}

// Do sends req and decodes a successful JSON answer into v (nil: discard).
//
// Before sending it fails at once if the request's rate-limit label has hit
// its daily limit, then waits for the label's client-side token bucket. A 401
// code 124 (invalid or expired token) drops the cached token and retries once
// with a fresh one. Non-2xx answers become *APIError or *RateLimitError. When
// the request's context is done, the error is ctx.Err(). On a call rejected
// before sending, the returned *Response is nil.
func (c *Client) Do(req *http.Request, v any) (*Response, error) {
	if c.err != nil {
		return nil, c.err
	}
	ctx := req.Context()
	cat := c.category(req)
	if err := c.checkExhausted(cat); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if err := c.limits.wait(ctx, cat); err != nil {
			return nil, err
		}
		tok, err := c.auth.token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		r := req.Clone(ctx)
		if req.GetBody != nil && attempt > 0 {
			if r.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if !c.baseExplicit {
			if host := apiHost(tok); host != nil {
				r.URL.Scheme, r.URL.Host, r.Host = host.Scheme, host.Host, ""
			}
		}
		resp, err := c.send(ctx, r, cat, v)
		if attempt == 0 && errors.Is(err, ErrTokenInvalid) {
			c.logger.DebugContext(ctx, "zoom token rejected, fetching a new one", "path", r.URL.Path)
			c.auth.invalidate(tok)
			continue
		}
		return resp, err
	}
}

// send runs one request through the retrying transport and decodes the answer.
func (c *Client) send(ctx context.Context, req *http.Request, cat Category, v any) (*Response, error) {
	start := c.now()
	hresp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("zoom: %s %s: %w", req.Method, req.URL.EscapedPath(), sanitizeURLError(err))
	}
	defer hresp.Body.Close()
	resp := &Response{Response: hresp, RateLimit: parseRateLimit(hresp.Header, c.now())}
	if resp.RateLimit.Category == "" {
		resp.RateLimit.Category = cat
	}
	c.logger.DebugContext(ctx, "zoom request", "method", req.Method, "path", req.URL.EscapedPath(),
		"status", hresp.StatusCode, "category", string(cat), "elapsed", c.now().Sub(start))
	c.noteRateLimit(resp.RateLimit)

	if err := c.checkResponse(req, hresp, resp.RateLimit); err != nil {
		if ctx.Err() != nil {
			return resp, ctx.Err()
		}
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(hresp.Body, maxBodyBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return resp, ctx.Err()
		}
		return resp, fmt.Errorf("zoom: reading response of %s %s: %w", req.Method, req.URL.EscapedPath(), sanitizeURLError(err))
	}
	if len(body) > maxBodyBytes {
		return resp, fmt.Errorf("zoom: response of %s %s exceeds %d bytes", req.Method, req.URL.EscapedPath(), maxBodyBytes)
	}
	if v == nil || len(bytes.TrimSpace(body)) == 0 && hresp.StatusCode == http.StatusNoContent {
		return resp, nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return resp, fmt.Errorf("zoom: decoding response of %s %s: %w", req.Method, req.URL.EscapedPath(), err)
	}
	var p page
	if err := json.Unmarshal(body, &p); err == nil {
		resp.NextPageToken, resp.PageSize, resp.TotalRecords = p.NextPageToken, p.PageSize, p.TotalRecords
	}
	return resp, nil
}

// sanitizeURLError drops the query string from the URL inside a *url.Error:
// paging tokens and the like have no place in error text.
func sanitizeURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return ue.Err
	}
	u.RawQuery, u.User, u.Fragment = "", nil, ""
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// EncodeUUID escapes a webinar instance uuid for use as a path segment. Zoom
// needs uuids that start with "/" or contain "//" encoded twice and accepts
// every uuid encoded twice, so all are (url.QueryEscape applied twice also
// escapes "+" and "="). Numeric webinar ids are returned unchanged.
func EncodeUUID(uuid string) string {
	if isNumericID(uuid) {
		return uuid
	}
	return url.QueryEscape(url.QueryEscape(uuid))
}

func isNumericID(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// requestValue sends a request built by NewRequest and decodes its answer
// into a new T; the value is nil whenever the error is not.
func requestValue[T any](ctx context.Context, c *Client, method, path string, q url.Values, body any) (*T, *Response, error) {
	req, err := c.NewRequest(ctx, method, path, q, body)
	if err != nil {
		return nil, nil, err
	}
	v := new(T)
	resp, err := c.Do(req, v)
	if err != nil {
		return nil, resp, err
	}
	return v, resp, nil
}

// listOptions returns the paging options of every options type that embeds
// ListOptions (see pagesOf).
func (o *ListOptions) listOptions() *ListOptions { return o }

// pagesOf walks every page of list from a copy of opts (nil: the zero
// options), starting at its NextPageToken; list is given a fresh copy per
// page, so opts is never changed.
func pagesOf[O any, PO interface {
	*O
	listOptions() *ListOptions
}, T any](opts PO, list func(PO) ([]T, *Response, error)) iter.Seq2[T, error] {
	var o O
	if opts != nil {
		o = *opts
	}
	return listIter(PO(&o).listOptions().NextPageToken, func(token string) ([]T, *Response, error) {
		p := o
		PO(&p).listOptions().NextPageToken = token
		return list(&p)
	})
}

// listIter walks a paginated endpoint with paging.All, from start (the
// caller's NextPageToken) until Zoom returns an empty next_page_token. list
// returns the page a token names; it must build its request from a copy of
// the caller's options.
func listIter[T any](start string, list func(token string) ([]T, *Response, error)) iter.Seq2[T, error] {
	return paging.All(start, func(token string) ([]T, string, error) {
		items, resp, err := list(token)
		if err != nil {
			return nil, "", err
		}
		if token != "" && resp.NextPageToken == token {
			// Said here rather than by paging.All, whose message carries
			// the token (page tokens stay out of error text), and before
			// the page is yielded: it is most likely the same page again.
			return nil, "", fmt.Errorf("zoom: %s %s: %w", resp.Request.Method, resp.Request.URL.EscapedPath(), paging.ErrRepeatedCursor)
		}
		return items, resp.NextPageToken, nil
	})
}
