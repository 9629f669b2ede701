package zoom

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// fakeClock is a clock whose Sleep advances it at once and records the
// wait: the limiter tests count the waits the buckets ask for, whatever the
// load of the machine.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	waited time.Duration
	sleeps int
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waited += d
	c.sleeps++
	return ctx.Err()
}

func (c *fakeClock) Waited() (time.Duration, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waited, c.sleeps
}

func withClock(c clock) Option { return func(o *options) { o.clock = c } }

func TestClient_clientSideLimiterWaits(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := setup(t, nil, WithRateLimits(map[Category]Limit{CategoryMedium: {PerSecond: 4, Burst: 1}}), withClock(clk))
	for range 5 {
		if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Burst 1 at 4/s, the clock standing still between calls: the 4 calls
	// after the first wait 250 ms each.
	if d, n := clk.Waited(); d != time.Second || n != 4 {
		t.Errorf("5 Medium calls at 4/s waited %v in %d sleeps, want 1s in 4", d, n)
	}
	// Light is not limited by the Medium bucket: these 5 calls wait nothing.
	for range 5 {
		if _, _, err := f.client.Webinars.ListPastInstances(t.Context(), demoAccount().Webinars[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if d, n := clk.Waited(); d != time.Second || n != 4 {
		t.Errorf("after 5 unlimited Light calls the limiter waited %v in %d sleeps in all, want still 1s in 4", d, n)
	}
}

func TestLimiters_waitPastDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	// The deadline is a real one, so the fake clock starts at the real time.
	clk := &fakeClock{now: time.Now()}
	l := newLimiters(map[Category]Limit{CategoryHeavy: {PerSecond: 1.0 / 3600, Burst: 1}}, clk)
	if err := l.wait(t.Context(), CategoryHeavy); err != nil {
		t.Fatal(err)
	}
	// The next token is an hour away; a deadline a minute away cannot be met.
	ctx, cancel := context.WithDeadline(t.Context(), clk.Now().Add(time.Minute))
	defer cancel()
	if err := l.wait(ctx, CategoryHeavy); !errors.Is(err, errWaitPastDeadline) {
		t.Errorf("wait = %v, want errWaitPastDeadline", err)
	}
	if _, n := clk.Waited(); n != 0 {
		t.Errorf("the refused wait slept %d times", n)
	}
	// The refused reservation was given back: the next wait is 1 h, not 2.
	if err := l.wait(t.Context(), CategoryHeavy); err != nil {
		t.Fatal(err)
	}
	if d, _ := clk.Waited(); d.Round(time.Millisecond) != time.Hour {
		t.Errorf("waited %v after a cancelled reservation, want 1h", d)
	}
}

func TestClient_proPlanBurst(t *testing.T) {
	t.Parallel()
	// Both sides enforce Pro limits (Medium 20/s). A burst of 30 concurrent
	// calls all succeed: the client's bucket spaces the last 10, and the few
	// 429s the buckets' different start times still cause are retried.
	f := setup(t, []zoomtest.Option{zoomtest.WithPlan("pro")}, WithPlan("pro"),
		WithRetry(6, 20*time.Millisecond, 100*time.Millisecond))
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for range 30 {
		wg.Go(func() {
			if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := f.srv.Stats()
	if n := int(f.retries.Load()); st.ByStatus[429] != n {
		t.Errorf("simulator answered %d 429s, client retried %d times", st.ByStatus[429], n)
	}
	if st.ByRoute["GET /users"] != 30+st.ByStatus[429] {
		t.Errorf("simulator saw %d GET /users, want 30 + %d retried", st.ByRoute["GET /users"], st.ByStatus[429])
	}
	if n := f.tokenCalls(); n != 1 {
		t.Errorf("%d token calls for 30 concurrent requests, want 1", n)
	}
}

func TestClient_dailyQuotaUsedUpOnSuccess(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"t","token_type":"bearer","expires_in":3600}`))
			return
		}
		calls.Add(1)
		// The last request of the day's Heavy pool succeeds and says so.
		w.Header().Set("X-RateLimit-Category", "Heavy")
		w.Header().Set("X-RateLimit-Type", "Daily-limit")
		w.Header().Set("X-RateLimit-Limit", "30000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Write([]byte(`{"uuid":"a==","id":1}`))
	}))
	defer srv.Close()
	c := NewClient(WithBaseURL(srv.URL+"/v2"), WithOAuthURL(srv.URL+"/oauth/token"), WithPlan("unlimited"))
	_, resp, err := c.Reports.GetWebinar(t.Context(), "a==")
	if err != nil {
		t.Fatal(err)
	}
	want := RateLimit{Category: CategoryHeavy, Type: RateLimitTypeDaily, Limit: 30000}
	if resp.RateLimit != want || c.RateLimits()[CategoryHeavy] != want {
		t.Errorf("RateLimit = %+v, RateLimits()[Heavy] = %+v; want %+v", resp.RateLimit, c.RateLimits()[CategoryHeavy], want)
	}
	// Heavy and Resource-intensive share the pool on Pro: both stop.
	for _, cat := range []Category{CategoryHeavy, CategoryResourceIntensive} {
		if err := c.checkExhausted(cat); !errors.Is(err, ErrDailyLimit) {
			t.Errorf("checkExhausted(%s) = %v, want ErrDailyLimit", cat, err)
		}
	}
	if err := c.checkExhausted(CategoryLight); err != nil {
		t.Errorf("checkExhausted(Light) = %v", err)
	}
	if _, _, err := c.Reports.GetWebinar(t.Context(), "a=="); !errors.Is(err, ErrDailyLimit) || calls.Load() != 1 {
		t.Errorf("second call: err %v after %d requests, want ErrDailyLimit after 1", err, calls.Load())
	}
}

func TestClient_logsWithoutToken(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/users", Kind: zoomtest.FaultExpireToken}),
		zoomtest.WithFault(zoomtest.Fault{Path: "/users", After: 1, Kind: zoomtest.Fault5xx})}, WithLogger(logger))
	if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"zoom request", "path=/v2/users", "status=200", "category=Medium", "retrying request", "token rejected"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "eyJzaW0") || strings.Contains(out, "Bearer") || strings.Contains(out, "demo-secret") {
		t.Errorf("log carries a secret:\n%s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLimiters_backoff: a per-second 429 lowers the label's pace by a
// tenth (never under half the plan's), and a backoff window without one
// gives a tenth of the plan's pace back, up to the plan's.
func TestLimiters_backoff(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Unix(0, 0)}
	l := newLimiters(map[Category]Limit{CategoryHeavy: {PerSecond: 10, Burst: 5}}, clk)
	lim := l.m[CategoryHeavy]
	l.backoff(CategoryHeavy)
	if got := lim.Limit(); got != 9 {
		t.Fatalf("pace after a 429 = %v, want 9", got)
	}
	for range 10 {
		l.backoff(CategoryHeavy)
	}
	if got := lim.Limit(); got != 5 {
		t.Fatalf("pace after eleven 429s = %v, want the floor 5", got)
	}
	clk.now = clk.now.Add(backoffWindow)
	if err := l.wait(t.Context(), CategoryHeavy); err != nil {
		t.Fatal(err)
	}
	if got := lim.Limit(); got != 6 {
		t.Errorf("pace a window later = %v, want 6", got)
	}
	l.backoff(CategoryLight) // a label without a limit: nothing to lower
}
