// Package httpretry is the one retrying http.RoundTripper that both API
// clients (extract/zoom and load/hubspot) put under their requests.
//
// Retries live in the transport, not in each method: a request whose answer
// is transient (a 429, a 5xx, a reset connection) is sent again after an
// exponential backoff with jitter, or after the server's Retry-After when it
// gives one, until MaxRetries is spent or the request's context ends. Bodies
// are replayed through Request.GetBody, and the bodies of answers that are
// thrown away are drained so the connection can be reused.
package httpretry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Decision is what a Classifier says about one answer.
type Decision struct {
	// Retry sends the request again.
	Retry bool
	// After is the least time to wait before the next try (from Retry-After
	// or the API's own rule); zero leaves the wait to the backoff.
	After time.Duration
	// Reason names the cause in logs ("429 QPS", "503", "connection reset").
	Reason string
}

// Classifier decides whether an answer is worth another try. resp is nil
// when err is not. A classifier that reads resp.Body must put back a body
// that can still be read, because a final answer goes to the caller.
type Classifier func(resp *http.Response, err error) Decision

// DefaultMaxRetries is the number of tries after the first that both API
// clients make unless told otherwise.
const DefaultMaxRetries = 6

// Transport retries transient failures. The zero value wraps
// http.DefaultTransport and makes no retry; set MaxRetries (usually
// DefaultMaxRetries) to retry what the Classifier calls transient.
type Transport struct {
	Base       http.RoundTripper
	Classify   Classifier
	MaxRetries int           // tries after the first; 0 means none (DefaultMaxRetries is the usual value)
	MinWait    time.Duration // first backoff interval; 0 means 1s
	MaxWait    time.Duration // cap of one wait, Retry-After included; 0 means 60s
	Logger     *slog.Logger
	// OnRetry, when set, is called before each wait; tests and metrics count retries with it.
	OnRetry func(req *http.Request, d Decision, wait time.Duration)
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	classify := t.Classify
	if classify == nil {
		classify = DefaultClassifier
	}
	maxRetries := max(t.MaxRetries, 0)
	minWait, maxWait := t.MinWait, t.MaxWait
	if minWait <= 0 {
		minWait = time.Second
	}
	if maxWait <= 0 {
		maxWait = 60 * time.Second
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = minWait
	b.MaxInterval = maxWait
	b.Multiplier = 2
	b.RandomizationFactor = 0.3
	b.Reset()

	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, errors.New("httpretry: request body cannot be replayed (no GetBody)")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.base().RoundTrip(r)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d := classify(resp, err)
		if !d.Retry || attempt >= maxRetries {
			return resp, err
		}
		wait := b.NextBackOff()
		if d.After > wait {
			wait = d.After
		}
		if wait > maxWait {
			wait = maxWait
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		if t.Logger != nil {
			t.Logger.WarnContext(ctx, "retrying request", "method", req.Method, "path", req.URL.Path,
				"attempt", attempt+1, "reason", d.Reason, "wait", wait)
		}
		if t.OnRetry != nil {
			t.OnRetry(req, d, wait)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// DefaultClassifier retries transport errors, 429, 500, 502, 503 and 504,
// honouring Retry-After.
func DefaultClassifier(resp *http.Response, err error) Decision {
	if err != nil {
		return Decision{Retry: true, Reason: err.Error()}
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		after, _ := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return Decision{Retry: true, After: after, Reason: strconv.Itoa(resp.StatusCode)}
	}
	return Decision{}
}

// ParseRetryAfter reads a Retry-After value given in seconds, as an HTTP date,
// or as an RFC 3339 time (Zoom's daily limit sends "2020-05-31T00:00:00Z").
// It returns the wait from now, never negative, and false when v is empty or
// unreadable.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	at, ok := ParseTime(v)
	if !ok {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// ParseTime reads an absolute Retry-After time (RFC 3339 or HTTP date).
func ParseTime(v string) (time.Time, bool) {
	if at, err := time.Parse(time.RFC3339, v); err == nil {
		return at, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return at, true
	}
	return time.Time{}, false
}

// Sleep waits d or until ctx ends, whichever is first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
