package hubspot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

const testToken = "pat-na1-test-secret-0000"

// setup starts a simulator (unlimited unless opts say otherwise) and a
// client pointed at it with millisecond retry waits.
func setup(t *testing.T, srvOpts []hubspottest.Option, opts ...Option) (*hubspottest.Server, *Client) {
	t.Helper()
	srvOpts = append([]hubspottest.Option{hubspottest.WithToken(testToken), hubspottest.WithTier("unlimited")}, srvOpts...)
	srv := hubspottest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	opts = append([]Option{
		WithBaseURL(srv.URL),
		WithToken(testToken),
		WithTier("unlimited"),
		WithRetry(3, time.Millisecond, 10*time.Millisecond),
	}, opts...)
	return srv, NewClient(opts...)
}

// statuses returns the status of every logged request whose path contains path.
func statuses(srv *hubspottest.Server, path string) []int {
	var out []int
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, path) {
			out = append(out, r.Status)
		}
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestClient_retriesTransientFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		fault        hubspottest.Fault
		wantStatuses []int
	}{
		{"burst 429", hubspottest.Fault{Kind: hubspottest.Fault429Burst, Times: 2}, []int{429, 429, 200}},
		{"502", hubspottest.Fault{Kind: hubspottest.Fault5xx, Status: 502}, []int{502, 200}},
		{"500 twice", hubspottest.Fault{Kind: hubspottest.Fault5xx, Times: 2}, []int{500, 500, 200}},
		{"503", hubspottest.Fault{Kind: hubspottest.Fault5xx, Status: 503}, []int{503, 200}},
		{"504", hubspottest.Fault{Kind: hubspottest.Fault5xx, Status: 504}, []int{504, 200}},
		{"423", hubspottest.Fault{Kind: hubspottest.Fault423}, []int{423, 200}},
		{"reset", hubspottest.Fault{Kind: hubspottest.FaultReset}, []int{0, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(tt.fault)})
			groups, _, err := c.Properties.ListGroups(t.Context(), "contacts")
			if err != nil {
				t.Fatalf("ListGroups: %v", err)
			}
			if len(groups) == 0 {
				t.Errorf("ListGroups returned no groups")
			}
			if got := statuses(srv, "/groups"); !equalInts(got, tt.wantStatuses) {
				t.Errorf("statuses = %v, want %v", got, tt.wantStatuses)
			}
		})
	}
}

func TestClient_stallRetriedAfterAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.FaultStall, Stall: 5 * time.Second,
	})}, WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
	if _, _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
		t.Fatalf("List: %v", err)
	}
	// The simulator logs the stalled request only once it notices the client
	// hung up, which may come after the retry was answered.
	if err := srv.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want the stalled one and a retry", n)
	}
}

func TestClient_retriesExhausted(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.Fault429Burst, Times: -1,
	})})
	_, _, err := c.Properties.List(t.Context(), "contacts")
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Policy != PolicyTenSecondly {
		t.Fatalf("err = %v, want *RateLimitError TEN_SECONDLY_ROLLING", err)
	}
	if !errors.Is(err, ErrRateLimited) || errors.Is(err, ErrDailyLimit) {
		t.Errorf("errors.Is: rate limited %v, daily %v; want true, false", errors.Is(err, ErrRateLimited), errors.Is(err, ErrDailyLimit))
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d requests, want 1 + 3 retries", n)
	}
}

func TestClient_daily429NotRetried(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{Kind: hubspottest.Fault429Daily})})
	_, _, err := c.Properties.List(t.Context(), "contacts")
	if !errors.Is(err, ErrDailyLimit) {
		t.Fatalf("err = %v, want ErrDailyLimit", err)
	}
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Policy != PolicyDaily || !strings.Contains(rl.Message, "daily limit") {
		t.Errorf("err = %#v, want RateLimitError with policy DAILY and HubSpot's message", err)
	}
	if got := statuses(srv, ""); !equalInts(got, []int{429}) {
		t.Errorf("statuses = %v, want one 429 (no retry)", got)
	}
	// The quota is spent: later calls fail without being sent.
	if _, _, err := c.Properties.ListGroups(t.Context(), "contacts"); !errors.Is(err, ErrDailyLimit) {
		t.Errorf("second call: err = %v, want ErrDailyLimit", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests after the DAILY 429, want 1", n)
	}
}

func TestClient_dailyRemainingZeroStopsBeforeSending(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithRateLimits(0, 2)})
	for i := range 2 {
		if _, _, err := c.Properties.ListGroups(t.Context(), "contacts"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if rl := c.RateLimits(); rl.Daily != 2 || rl.DailyRemaining != 0 {
		t.Errorf("RateLimits = %+v, want Daily 2, DailyRemaining 0", rl)
	}
	_, _, err := c.Properties.ListGroups(t.Context(), "contacts")
	if !errors.Is(err, ErrDailyLimit) {
		t.Fatalf("third call: err = %v, want ErrDailyLimit", err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 (the third is not sent)", n)
	}
}

func TestClient_RateLimits_recordsHeaders(t *testing.T) {
	t.Parallel()
	_, c := setup(t, []hubspottest.Option{hubspottest.WithTier("professional")})
	if rl := c.RateLimits(); rl.Max != -1 || !rl.Seen.IsZero() {
		t.Errorf("before any call RateLimits = %+v, want -1s", rl)
	}
	if _, _, err := c.Properties.ListGroups(t.Context(), "contacts"); err != nil {
		t.Fatal(err)
	}
	rl := c.RateLimits()
	if rl.Max != 190 || rl.Remaining != 189 || rl.IntervalMillis != 10000 || rl.Daily != 625000 || rl.DailyRemaining != 624999 {
		t.Errorf("RateLimits = %+v", rl)
	}
}

func TestClient_unauthorizedKeepsTokenSecret(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const wrong = "pat-na1-wrong-secret-1234"
	srv, c := setup(t, nil, WithToken(wrong), WithLogger(logger))
	_, _, err := c.Contacts.BatchUpsert(t.Context(), []UpsertInput{{ID: "ana@example.com"}})
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Category != "INVALID_AUTHENTICATION" {
		t.Errorf("err = %#v, want *APIError 401 INVALID_AUTHENTICATION", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(logs.String(), wrong) {
		t.Errorf("token leaked: error %q, logs %q", err, logs.String())
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (401 is not retried)", n)
	}
}

func TestClient_expiredToken(t *testing.T) {
	t.Parallel()
	_, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{Kind: hubspottest.FaultExpiredToken})})
	_, _, err := c.Properties.List(t.Context(), "contacts")
	var apiErr *APIError
	if !errors.Is(err, ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.Category != "EXPIRED_AUTHENTICATION" {
		t.Fatalf("err = %v, want ErrUnauthorized EXPIRED_AUTHENTICATION", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("token in error: %v", err)
	}
}

// TestClient_malformedAnswer: a read whose every answer is damaged fails,
// once its retries are spent, with an error naming the call.
func TestClient_malformedAnswer(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{Kind: hubspottest.FaultMalformed, Times: -1})})
	_, _, err := c.Properties.List(t.Context(), "contacts")
	if !errors.Is(err, errDamagedBody) || !strings.Contains(err.Error(), "/crm/v3/properties/contacts") {
		t.Fatalf("err = %v, want a damaged-body error naming the call", err)
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d requests, want the first and 3 retries", n)
	}
}

func TestClient_contextCanceledDuringStall(t *testing.T) {
	t.Parallel()
	_, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.FaultStall, Stall: 5 * time.Second,
	})})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, _, err := c.Properties.List(ctx, "contacts")
	if !errors.Is(err, context.DeadlineExceeded) || err != ctx.Err() {
		t.Fatalf("err = %v, want ctx.Err()", err)
	}
}

func TestClient_configErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []Option
		wantErr string
	}{
		{"unknown tier", []Option{WithToken("x"), WithTier("gold")}, `unknown tier "gold"`},
		{"bad base URL", []Option{WithToken("x"), WithBaseURL("not a url")}, "invalid base URL"},
		{"no token", []Option{WithBaseURL("http://127.0.0.1:1")}, "no access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := NewClient(tt.opts...).Properties.List(t.Context(), "contacts")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestClient_retryDisabled(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{Kind: hubspottest.Fault5xx})},
		WithRetry(0, time.Millisecond, time.Millisecond))
	_, _, err := c.Properties.List(t.Context(), "contacts")
	if !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestWindowLimiter_neverExceedsWindow drives the limiter as fast as it
// allows on a synthetic clock, with requests answered after a round trip
// drawn between 0 and 300 ms, and a server that counts each request when it
// arrives (anywhere between send and answer): no rolling 10 s of arrivals
// holds more than the quota, and the busiest window holds all of it (100 %,
// not 90 %).
func TestWindowLimiter_neverExceedsWindow(t *testing.T) {
	t.Parallel()
	for _, quota := range []int{100, 190, 250, 5, 1} {
		lim := newWindowLimiter(quota, burstWindow)
		rng := rand.New(rand.NewPCG(uint64(quota), 1))
		start := time.Unix(0, 0)
		type pending struct{ sent, arrive, answer time.Time }
		var open []pending
		var arrivals []time.Time
		for now := start; now.Before(start.Add(60 * time.Second)); now = now.Add(5 * time.Millisecond) {
			kept := open[:0]
			for _, p := range open {
				if p.answer.After(now) {
					kept = append(kept, p)
					continue
				}
				lim.done(p.sent, p.answer, true)
			}
			open = kept
			for {
				ok, _, _ := lim.take(now)
				if !ok {
					break
				}
				rtt := time.Duration(rng.Int64N(int64(300 * time.Millisecond)))
				arrive := now.Add(time.Duration(rng.Int64N(int64(rtt) + 1)))
				open = append(open, pending{now, arrive, now.Add(rtt)})
				arrivals = append(arrivals, arrive)
			}
		}
		slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
		lo, most := 0, 0
		for hi := range arrivals {
			for arrivals[hi].Sub(arrivals[lo]) >= burstWindow {
				lo++
			}
			most = max(most, hi-lo+1)
		}
		if most != quota {
			t.Errorf("quota %d: %d requests in the busiest 10 s window, want exactly the quota", quota, most)
		}
		// Over the minute, the pace is the quota less one round trip a window.
		if want := quota * 6 * 95 / 100; len(arrivals) < want {
			t.Errorf("quota %d: %d requests in 60 s, want ≥ %d", quota, len(arrivals), want)
		}
	}
}

// TestWindowLimiter_backoff: a burst 429 lowers the cap by a tenth, a window
// without one raises it back; X-HubSpot-RateLimit-Max replaces the quota.
func TestWindowLimiter_backoff(t *testing.T) {
	t.Parallel()
	lim := newWindowLimiter(190, burstWindow)
	now := time.Unix(0, 0)
	lim.backoff(now)
	if lim.cap != 171 {
		t.Fatalf("cap after a 429 = %d, want 171", lim.cap)
	}
	lim.take(now.Add(burstWindow))
	if lim.cap != 190 {
		t.Errorf("cap a window later = %d, want 190", lim.cap)
	}
	lim.learn(250)
	if lim.quota != 250 || lim.cap != 250 {
		t.Errorf("after X-HubSpot-RateLimit-Max 250: quota %d cap %d", lim.quota, lim.cap)
	}
}

// TestClient_InFlight sizes the writes in flight: one before any answer;
// while the window has room, as many as it has (at most 16); once it is
// spent, Little's law on the whole cycle: 19 requests/s × (150 ms + the
// caller's extra) rounded up, plus one.
func TestClient_InFlight(t *testing.T) {
	t.Parallel()
	c := NewClient(WithTier("professional"))
	if got := c.InFlight(0); got != 1 {
		t.Errorf("InFlight before any answer = %d, want 1", got)
	}
	lim := c.limiter
	now := time.Unix(0, 0)
	answer := func(n int) {
		for range n {
			lim.take(now)
			lim.done(now, now.Add(150*time.Millisecond), true)
		}
	}
	answer(20)
	if got := lim.inFlight(now.Add(150*time.Millisecond), 0); got != maxInFlight {
		t.Errorf("InFlight with 170 of 190 slots free = %d, want %d", got, maxInFlight)
	}
	answer(170)
	spent := now.Add(150 * time.Millisecond)
	if got := lim.inFlight(spent, 0); got != 4 {
		t.Errorf("InFlight at 150 ms, window spent = %d, want 4 (19/s × 0.15 s ≈ 3, plus one)", got)
	}
	if got := lim.inFlight(spent, 60*time.Millisecond); got != 5 {
		t.Errorf("InFlight at 150 ms + 60 ms of recording = %d, want 5 (19/s × 0.21 s ≈ 4, plus one)", got)
	}
	if got := lim.inFlight(spent.Add(burstWindow), 0); got != maxInFlight {
		t.Errorf("InFlight a window later = %d, want %d", got, maxInFlight)
	}
	if got := NewClient(WithTier("unlimited")).InFlight(0); got != 4 {
		t.Errorf("InFlight without a limit = %d, want 4", got)
	}
	if got := NewClient(WithTier("professional"), WithMaxInFlight(2)).InFlight(0); got != 1 {
		t.Errorf("InFlight capped at 2 before any answer = %d, want 1", got)
	}
}

func TestWithTier_limits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tier      string
		wantQuota int
	}{
		{"free", 100},
		{"starter", 100},
		{"professional", 190},
		{"enterprise", 190},
		{"unlimited", 0},
	}
	for _, tt := range tests {
		if c := NewClient(WithTier(tt.tier)); c.limiter.quota != tt.wantQuota {
			t.Errorf("tier %s: quota %d, want %d", tt.tier, c.limiter.quota, tt.wantQuota)
		}
	}
	if c := NewClient(); c.limiter.quota != 190 {
		t.Errorf("default tier is not professional")
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	resp := func(status int, body string, header ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		req, _ := http.NewRequest(http.MethodGet, "http://example.invalid/x", nil)
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req}
	}
	burst := `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","policyName":"TEN_SECONDLY_ROLLING"}`
	daily := `{"status":"error","message":"You have reached your daily limit.","policyName":"DAILY"}`
	secondly := `{"status":"error","message":"You have reached your secondly limit.","policyName":"SECONDLY"}`
	tests := []struct {
		name      string
		resp      *http.Response
		err       error
		wantRetry bool
		wantAfter time.Duration
	}{
		{"transport error", nil, errors.New("connection reset by peer"), true, 0},
		{"200", resp(200, "{}"), nil, false, 0},
		{"400", resp(400, "{}"), nil, false, 0},
		{"401", resp(401, "{}"), nil, false, 0},
		{"404", resp(404, "{}"), nil, false, 0},
		{"409", resp(409, "{}"), nil, false, 0},
		{"500", resp(500, "{}"), nil, true, 0},
		{"502 Retry-After", resp(502, "{}", "Retry-After", "3"), nil, true, 3 * time.Second},
		{"503", resp(503, "{}"), nil, true, 0},
		{"504", resp(504, "{}"), nil, true, 0},
		{"423", resp(423, "{}"), nil, true, 2 * time.Second},
		{"423 Retry-After 5", resp(423, "{}", "Retry-After", "5"), nil, true, 5 * time.Second},
		{"429 burst", resp(429, burst), nil, true, 10 * time.Second},
		{"429 burst Retry-After", resp(429, burst, "Retry-After", "4"), nil, true, 4 * time.Second},
		{"429 burst interval header", resp(429, burst, "X-HubSpot-RateLimit-Interval-Milliseconds", "5000"), nil, true, 5 * time.Second},
		{"429 secondly", resp(429, secondly), nil, true, time.Second},
		{"429 no policy", resp(429, "not json"), nil, true, 10 * time.Second},
		{"429 daily", resp(429, daily), nil, false, 0},
		{"limiter", nil, &limiterError{errors.New("would exceed deadline")}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var before string
			if tt.resp != nil {
				b, _ := io.ReadAll(tt.resp.Body)
				before = string(b)
				tt.resp.Body = io.NopCloser(strings.NewReader(before))
			}
			d := Classify(tt.resp, tt.err)
			if d.Retry != tt.wantRetry || d.After != tt.wantAfter {
				t.Errorf("Classify = %+v, want retry %v after %v", d, tt.wantRetry, tt.wantAfter)
			}
			if tt.resp != nil {
				after, _ := io.ReadAll(tt.resp.Body)
				if string(after) != before {
					t.Errorf("body after Classify = %q, want %q restored", after, before)
				}
			}
		})
	}
}

// TestClassify_burstBackoffGrows checks the 10 s × attempt rule within one call.
func TestClassify_burstBackoffGrows(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "http://example.invalid/x", nil)
	call := new(classifier) // Do makes one per call
	var got []time.Duration
	for range 3 {
		r := &http.Response{StatusCode: 429, Header: http.Header{}, Request: req,
			Body: io.NopCloser(strings.NewReader(`{"policyName":"TEN_SECONDLY_ROLLING"}`))}
		got = append(got, call.classify(r, nil).After)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits = %v, want %v", got, want)
		}
	}
}

func TestCheckResponse_decodesErrorBody(t *testing.T) {
	t.Parallel()
	c := NewClient(WithToken("tok-secret"))
	body := `{"status":"error","message":"This app hasn't been granted all required scopes; token tok-secret","correlationId":"c-1",
	  "errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.schemas.contacts.write"]}}],
	  "category":"MISSING_SCOPES","context":{"n":[1,2],"s":"x"}}`
	req, _ := http.NewRequest(http.MethodPost, "https://api.hubapi.com/crm/v3/properties/contacts", nil)
	err := c.CheckResponse(&http.Response{StatusCode: 403, Header: http.Header{}, Request: req, Body: io.NopCloser(strings.NewReader(body))})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if !errors.Is(err, ErrMissingScopes) || !errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is mapping wrong for %v", err)
	}
	if strings.Contains(err.Error(), "tok-secret") {
		t.Errorf("token in error: %v", err)
	}
	if got := apiErr.Errors[0].Context["requiredGranularScopes"]; len(got) != 1 || got[0] != "crm.schemas.contacts.write" {
		t.Errorf("errors[0].context = %v", apiErr.Errors[0].Context)
	}
	if got := apiErr.Context; len(got["n"]) != 2 || got["n"][1] != "2" || got["s"][0] != "x" {
		t.Errorf("context = %v", got)
	}
	if apiErr.Method != "POST" || apiErr.Path != "/crm/v3/properties/contacts" || apiErr.CorrelationID != "c-1" {
		t.Errorf("APIError = %+v", apiErr)
	}
}

// TestClient_transportErrorRedactedKeepsChain: a transport error whose text
// holds a secret (the developer key rides in the URL) is redacted, and the
// error chain still reaches the *url.Error and the net error beneath.
func TestClient_transportErrorRedactedKeepsChain(t *testing.T) {
	t.Parallel()
	const key = "dev-key-secret-42"
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // every request is refused
	c := NewClient(WithBaseURL(url), WithToken(testToken), WithTier("unlimited"), WithRetry(0, 0, 0),
		WithDeveloperKey(key), WithApp("1234"))
	_, _, err := c.Timeline.ListTemplates(t.Context())
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("err = %q, want the developer key redacted", err)
	}
	var ue *neturl.Error
	if !errors.As(err, &ue) {
		t.Errorf("err = %v: the *url.Error is not in the chain", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v: ECONNREFUSED is not in the chain", err)
	}
}

// TestClient_requestOptionsStayOffTheWire: the request options travel on
// the request from NewRequest to Do, never in its context; Do sends the
// credentials they name on its own copy, and the options header never
// reaches the server.
func TestClient_requestOptionsStayOffTheWire(t *testing.T) {
	t.Parallel()
	type seen struct{ auth, hapikey, options string }
	got := make(chan seen, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Get("Authorization"), r.URL.Query().Get("hapikey"), r.Header.Get(requestOptionsHeader)}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := NewClient(WithBaseURL(srv.URL), WithToken("private-token"), WithOAuthToken("app-token"),
		WithDeveloperKey("dev-key"), WithApp("1"), WithTier("unlimited"))
	for _, tt := range []struct {
		opts []RequestOption
		want seen
	}{
		{nil, seen{auth: "Bearer private-token"}},
		{[]RequestOption{WithAppAuth()}, seen{auth: "Bearer app-token"}},
		{[]RequestOption{WithDeveloperKeyAuth(), NoResend()}, seen{hapikey: "dev-key"}},
	} {
		req, err := c.NewRequest(t.Context(), http.MethodGet, "x", nil, nil, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if req.Header.Get("Authorization") != "" || req.URL.Query().Get("hapikey") != "" {
			t.Errorf("the caller's request carries a secret: %v %v", req.Header, req.URL)
		}
		if _, err := c.Do(req, nil); err != nil {
			t.Fatal(err)
		}
		if s := <-got; s != tt.want {
			t.Errorf("server saw %+v, want %+v", s, tt.want)
		}
	}
}

// TestClient_noResendNotRetried: a NoResend request answered 502 is not
// sent again; its error Is ErrServer.
func TestClient_noResendNotRetried(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{Kind: hubspottest.Fault5xx, Status: 502})})
	req, err := c.NewRequest(t.Context(), http.MethodGet, "crm/v3/properties/contacts", nil, nil, NoResend())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(req, nil); !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (not resent)", n)
	}
}

func TestAccountInfoService_Details(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/account-info/v3/details" || r.Header.Get("Authorization") != "Bearer "+testToken {
			http.Error(w, `{"status":"error","message":"unexpected `+r.Method+" "+r.URL.Path+`"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"portalId":62515,"accountType":"STANDARD","timeZone":"US/Eastern","companyCurrency":"USD",
			"additionalCurrencies":[],"utcOffset":"-05:00","utcOffsetMilliseconds":-18000000,"uiDomain":"app.hubspot.com","dataHostingLocation":"na1"}`))
	}))
	defer srv.Close()
	c := NewClient(WithBaseURL(srv.URL), WithToken(testToken), WithTier("unlimited"))
	got, resp, err := c.AccountInfo.Details(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := &AccountDetails{PortalID: 62515, AccountType: "STANDARD", TimeZone: "US/Eastern", CompanyCurrency: "USD",
		AdditionalCurrencies: []string{}, UTCOffset: "-05:00", UTCOffsetMilliseconds: -18000000, UIDomain: "app.hubspot.com", DataHostingLocation: "na1"}
	if diff := cmp.Diff(want, got); diff != "" || resp.StatusCode != 200 {
		t.Errorf("Details (-want +got):\n%s (status %d)", diff, resp.StatusCode)
	}
}

// TestClient_unknownOutcome: a write (any method but GET) that got no
// readable answer — a 5xx or a reset after the retries, a body cut off
// after a 200 — Is ErrUnknownOutcome; a refusal (4xx) is not, nor is any
// failure of a read.
func TestClient_unknownOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       hubspottest.Fault
		method      string
		wantUnknown bool
	}{
		{"POST 503", hubspottest.Fault{Kind: hubspottest.Fault5xx, Status: 503, Times: -1}, http.MethodPost, true},
		{"POST reset", hubspottest.Fault{Kind: hubspottest.FaultReset, Times: -1}, http.MethodPost, true},
		{"POST malformed 200", hubspottest.Fault{Kind: hubspottest.FaultMalformed}, http.MethodPost, true},
		{"POST 401", hubspottest.Fault{Kind: hubspottest.FaultExpiredToken}, http.MethodPost, false},
		{"GET 503", hubspottest.Fault{Kind: hubspottest.Fault5xx, Status: 503, Times: -1}, http.MethodGet, false},
		{"GET malformed 200", hubspottest.Fault{Kind: hubspottest.FaultMalformed, Times: -1}, http.MethodGet, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := setup(t, []hubspottest.Option{hubspottest.WithFault(tt.fault)})
			var err error
			if tt.method == http.MethodGet {
				_, _, err = c.Properties.List(t.Context(), "contacts")
			} else {
				_, _, err = c.Contacts.BatchUpsert(t.Context(), []UpsertInput{{ID: "ana@example.com"}})
			}
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrUnknownOutcome); got != tt.wantUnknown {
				t.Errorf("errors.Is(%v, ErrUnknownOutcome) = %v, want %v", err, got, tt.wantUnknown)
			}
		})
	}
}

// TestClient_damagedReadAnswerRetried: a 200 whose body is cut off on a
// read (a GET, a batch read) is retried like a transport error, not
// returned as a decode failure.
func TestClient_damagedReadAnswerRetried(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.FaultMalformed, Times: 1,
	})})
	props, _, err := c.Properties.List(t.Context(), "contacts")
	if err != nil {
		t.Fatalf("List after a cut-off answer: %v", err)
	}
	if len(props) == 0 {
		t.Fatal("no properties listed")
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want the damaged answer and one retry", n)
	}
}
