package zoom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/zoomsync/zoomsync/internal/httpretry"
)

// Category is a Zoom rate limit label. Zoom's limits are per account and per
// label, shared by every app on the account (zoom-api.md §4).
type Category string

// Zoom's rate limit labels.
const (
	CategoryLight             Category = "Light"
	CategoryMedium            Category = "Medium"
	CategoryHeavy             Category = "Heavy"
	CategoryResourceIntensive Category = "Resource-intensive"
)

// Categories lists the labels.
var Categories = []Category{CategoryLight, CategoryMedium, CategoryHeavy, CategoryResourceIntensive}

// Values of the X-RateLimit-Type header.
const (
	RateLimitTypeQPS   = "QPS"
	RateLimitTypeDaily = "Daily-limit"
)

// Limit is a client-side token bucket: PerSecond requests per second on
// average, bursts of up to Burst. PerSecond <= 0 means no client-side limit.
type Limit struct {
	PerSecond float64
	Burst     int
}

// RateLimit is what Zoom's X-RateLimit-* headers said about one answer.
// Zoom sends them mostly on 429s; fields it left out are zero.
type RateLimit struct {
	Category  Category
	Type      string // "QPS" or "Daily-limit"
	Limit     int
	Remaining int
	Reset     time.Time // from Retry-After
}

// PlanLimits returns the client-side limits for a Zoom plan: "pro", "business"
// (Business, Education, Enterprise, Partner), "free", or "unlimited" (no
// client-side limit). Resource-intensive limits are per minute at Zoom and
// become fractions of a request per second here.
func PlanLimits(plan string) (map[Category]Limit, error) {
	perMin := func(n float64) Limit { return Limit{PerSecond: n / 60, Burst: 1} }
	// Per-second labels start at 100 % of Zoom's quota with a burst of
	// half of it: Zoom's bucket holds a whole second's quota, so ours,
	// holding half, stays within it as long as the latency varies by less
	// than half a second. A per-second 429 (another app on the account,
	// a busier path) lowers the label's pace (limiters.backoff).
	perSec := func(n float64) Limit { return Limit{PerSecond: n, Burst: max(1, int(n/2))} }
	switch strings.ToLower(plan) {
	case "", "pro":
		return map[Category]Limit{
			CategoryLight: perSec(30), CategoryMedium: perSec(20), CategoryHeavy: perSec(10),
			CategoryResourceIntensive: perMin(10),
		}, nil
	case "business", "business+", "education", "enterprise", "partner":
		return map[Category]Limit{
			CategoryLight: perSec(80), CategoryMedium: perSec(60), CategoryHeavy: perSec(40),
			CategoryResourceIntensive: perMin(20),
		}, nil
	case "free":
		return map[Category]Limit{
			CategoryLight: perSec(4), CategoryMedium: perSec(2), CategoryHeavy: perSec(1),
			CategoryResourceIntensive: perMin(10),
		}, nil
	case "unlimited":
		return map[Category]Limit{
			CategoryLight: {}, CategoryMedium: {}, CategoryHeavy: {}, CategoryResourceIntensive: {},
		}, nil
	}
	return nil, fmt.Errorf("zoom: unknown plan %q (want pro, business, free or unlimited)", plan)
}

// clock is the time the token buckets run on: the wall clock in production,
// a fake one in tests, so that a test of the limiter measures the waits it
// asked for rather than how busy the machine was.
type clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends, whichever is first.
	Sleep(ctx context.Context, d time.Duration) error
}

type wallClock struct{}

func (wallClock) Now() time.Time                                   { return time.Now() }
func (wallClock) Sleep(ctx context.Context, d time.Duration) error { return httpretry.Sleep(ctx, d) }

// limiters holds one token bucket per label.
type limiters struct {
	m   map[Category]*rate.Limiter
	clk clock

	mu      sync.Mutex
	base    map[Category]rate.Limit // the plan's pace per label
	last429 map[Category]time.Time  // the last per-second 429, or the last raise since
}

// backoffWindow is how long a label runs at a lowered pace after a
// per-second 429 before a tenth is given back.
const backoffWindow = 10 * time.Second

// backoff lowers cat's pace by a tenth (to half of the plan's at least)
// after a per-second 429.
func (l *limiters) backoff(cat Category) {
	lim, ok := l.m[cat]
	if !ok || lim.Limit() == rate.Inf {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clk.Now()
	lim.SetLimitAt(now, max(lim.Limit()*0.9, l.base[cat]/2))
	l.last429[cat] = now
}

// recover gives back a tenth of the plan's pace to a label that has seen
// no 429 for a backoff window.
func (l *limiters) recover(cat Category, lim *rate.Limiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	base := l.base[cat]
	if now := l.clk.Now(); lim.Limit() < base && now.Sub(l.last429[cat]) >= backoffWindow {
		lim.SetLimitAt(now, min(base, lim.Limit()+base/10))
		l.last429[cat] = now
	}
}

func newLimiters(limits map[Category]Limit, clk clock) *limiters {
	l := &limiters{m: make(map[Category]*rate.Limiter, len(limits)), clk: clk,
		base: map[Category]rate.Limit{}, last429: map[Category]time.Time{}}
	for cat, lim := range limits {
		if lim.PerSecond <= 0 || math.IsInf(lim.PerSecond, 1) {
			l.m[cat] = rate.NewLimiter(rate.Inf, 0)
			continue
		}
		l.m[cat] = rate.NewLimiter(rate.Limit(lim.PerSecond), max(lim.Burst, 1))
		l.base[cat] = rate.Limit(lim.PerSecond)
	}
	return l
}

// errWaitPastDeadline: the bucket's wait would outlast the context's deadline.
var errWaitPastDeadline = errors.New("the wait would outlast the context's deadline")

// wait blocks until cat's bucket lets one request through or ctx ends
// (rate.Limiter.Wait, on the limiters' clock).
func (l *limiters) wait(ctx context.Context, cat Category) error {
	lim, ok := l.m[cat]
	if !ok || lim.Limit() == rate.Inf {
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	l.recover(cat, lim)
	now := l.clk.Now()
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return fmt.Errorf("zoom: waiting for the %s rate limit: burst %d", cat, lim.Burst())
	}
	d := res.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
		res.CancelAt(now)
		return fmt.Errorf("zoom: waiting for the %s rate limit: %w", cat, errWaitPastDeadline)
	}
	if err := l.clk.Sleep(ctx, d); err != nil {
		res.CancelAt(l.clk.Now())
		return err
	}
	return nil
}

// endpoints maps each endpoint to its label (zoom-api.md §4); "*" is one
// path segment.
var endpoints = []struct {
	method, pattern string
	cat             Category
}{
	{"GET", "users", CategoryMedium},
	{"GET", "users/*/webinars", CategoryMedium},
	{"GET", "users/*/recordings", CategoryMedium},
	{"GET", "webinars/*", CategoryLight},
	{"GET", "webinars/*/registrants", CategoryMedium},
	{"GET", "webinars/*/registrants/questions", CategoryLight},
	{"POST", "webinars/*/registrants", CategoryLight},
	{"GET", "webinars/*/panelists", CategoryMedium},
	{"GET", "webinars/*/tracking_sources", CategoryMedium},
	{"GET", "past_webinars/*/instances", CategoryLight},
	{"GET", "past_webinars/*/participants", CategoryMedium},
	{"GET", "past_webinars/*/absentees", CategoryHeavy},
	{"GET", "past_webinars/*/qa", CategoryMedium},
	{"GET", "report/webinars/*", CategoryHeavy},
	{"GET", "report/webinars/*/participants", CategoryHeavy},
	{"GET", "report/webinars/*/qa", CategoryHeavy},
	{"GET", "report/webinars/*/polls", CategoryHeavy},
	{"GET", "report/users/*/meetings", CategoryHeavy},
	{"GET", "meetings/*/recordings", CategoryLight},
	{"GET", "metrics/webinars", CategoryResourceIntensive},
	// Zoom Events (events.go): Light for the listing per its reference;
	// the sessions listing is a read of the same API, Light as well.
	{"GET", "zoom_events/events", CategoryLight},
	{"GET", "zoom_events/events/*/sessions", CategoryLight},
}

// categoryOf returns the label of an endpoint; path is relative to the API
// base ("webinars/123/registrants"). Unknown endpoints count as Heavy, the
// most careful choice among the per-second labels.
func categoryOf(method, path string) Category {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, e := range endpoints {
		if e.method != method {
			continue
		}
		pat := strings.Split(e.pattern, "/")
		if len(pat) != len(segs) {
			continue
		}
		match := true
		for i := range pat {
			if pat[i] != "*" && pat[i] != segs[i] {
				match = false
				break
			}
		}
		if match {
			return e.cat
		}
	}
	return CategoryHeavy
}

func (c *Client) category(req *http.Request) Category {
	path := strings.TrimPrefix(req.URL.EscapedPath(), c.baseURL.EscapedPath())
	return categoryOf(req.Method, path)
}

// checkExhausted fails a call of a label whose daily limit was hit and has
// not reset yet (go-github's checkRateLimitBeforeDo).
func (c *Client) checkExhausted(cat Category) error {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	e, ok := c.exhausted[cat]
	if !ok {
		return nil
	}
	if c.now().Before(e.Reset) {
		return e
	}
	delete(c.exhausted, cat)
	return nil
}

// markExhausted records a daily limit. On paid plans Heavy and
// Resource-intensive share one daily pool, so both stop.
func (c *Client) markExhausted(e *RateLimitError) {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	cats := []Category{e.Category}
	if c.sharedHeavyPool && (e.Category == CategoryHeavy || e.Category == CategoryResourceIntensive) {
		cats = []Category{CategoryHeavy, CategoryResourceIntensive}
	}
	for _, cat := range cats {
		c.exhausted[cat] = e
	}
}

func (c *Client) noteRateLimit(rl RateLimit) {
	if rl == (RateLimit{Category: rl.Category}) {
		return
	}
	c.rateMu.Lock()
	c.lastRate[rl.Category] = rl
	c.rateMu.Unlock()
}

// RateLimits returns the last X-RateLimit-* headers seen per label.
func (c *Client) RateLimits() map[Category]RateLimit {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	m := make(map[Category]RateLimit, len(c.lastRate))
	for k, v := range c.lastRate {
		m[k] = v
	}
	return m
}

// parseRateLimit reads the X-RateLimit-* and Retry-After headers.
func parseRateLimit(h http.Header, now time.Time) RateLimit {
	rl := RateLimit{
		Category: normalizeCategory(h.Get("X-RateLimit-Category")),
		Type:     normalizeType(h.Get("X-RateLimit-Type")),
	}
	rl.Limit, _ = strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit")))
	rl.Remaining, _ = strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if v := h.Get("Retry-After"); v != "" {
		if at, ok := httpretry.ParseTime(v); ok {
			rl.Reset = at
		} else if d, ok := httpretry.ParseRetryAfter(v, now); ok {
			rl.Reset = now.Add(d)
		}
	}
	return rl
}

func normalizeCategory(v string) Category {
	for _, c := range Categories {
		if strings.EqualFold(v, string(c)) {
			return c
		}
	}
	return Category(v)
}

func normalizeType(v string) string {
	switch {
	case strings.EqualFold(v, RateLimitTypeQPS):
		return RateLimitTypeQPS
	case strings.EqualFold(v, RateLimitTypeDaily):
		return RateLimitTypeDaily
	}
	return v
}

// classifyResponse is the retry policy under every request: transport
// errors, 5xx (but 501) and per-second 429s are retried, Retry-After
// honoured; a daily-limit 429 is final.
func classifyResponse(resp *http.Response, err error) httpretry.Decision {
	if err != nil {
		return httpretry.Decision{Retry: true, Reason: "transport error"}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		if isDailyLimit(resp) {
			return httpretry.Decision{Reason: "429 Daily-limit"}
		}
		after, _ := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return httpretry.Decision{Retry: true, After: after, Reason: "429 QPS"}
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		after, _ := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return httpretry.Decision{Retry: true, After: after, Reason: strconv.Itoa(resp.StatusCode)}
	}
	return httpretry.Decision{}
}

// classify is classifyResponse, and lowers the pace of the request's
// label after a per-second 429 (limiters.backoff).
func (c *Client) classify(resp *http.Response, err error) httpretry.Decision {
	d := classifyResponse(resp, err)
	if d.Retry && resp != nil && resp.StatusCode == http.StatusTooManyRequests && resp.Request != nil {
		c.limits.backoff(c.category(resp.Request))
	}
	return d
}

// isDailyLimit tells a daily-limit 429 by its X-RateLimit-Type header or,
// when Zoom left the header out (per-registrant caps), by its message. It
// puts back a body the caller can still read.
func isDailyLimit(resp *http.Response) bool {
	if t := resp.Header.Get("X-RateLimit-Type"); t != "" {
		return strings.EqualFold(t, RateLimitTypeDaily)
	}
	peek, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(peek), resp.Body), resp.Body}
	return isDailyMessage(string(peek))
}
