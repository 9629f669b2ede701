package zoomtest

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// TestWithLatency: delays are uniform in mean ± jitter, repeat from run to run (page
// tokens aside), and tell repeats of one request apart.
func TestWithLatency(t *testing.T) {
	t.Parallel()
	const mean, jitter = 100 * time.Millisecond, 40 * time.Millisecond
	draws := func(pageToken string, n int) []time.Duration {
		s := newServer(demo(), WithLatency(mean, jitter))
		var out []time.Duration
		for i := range n {
			for _, u := range []string{"/v2/users", "/v2/users?page_size=1&next_page_token=" + pageToken, "/oauth/token", "/v2/webinars/" + string(rune('0'+i%10))} {
				out = append(out, s.delay(httptest.NewRequest("GET", u, nil)))
			}
		}
		return out
	}
	a, b := draws("first-run", 100), draws("second-run", 100)
	if !slices.Equal(a, b) {
		t.Fatal("two runs drew different delays")
	}
	var sum time.Duration
	for _, d := range a {
		if d < mean-jitter || d > mean+jitter {
			t.Fatalf("delay %v outside %v ± %v", d, mean, jitter)
		}
		sum += d
	}
	if avg := sum / time.Duration(len(a)); avg < mean-5*time.Millisecond || avg > mean+5*time.Millisecond {
		t.Errorf("mean delay %v, want about %v", avg, mean)
	}
	if lo, hi := slices.Min(a), slices.Max(a); lo > mean-jitter*8/10 || hi < mean+jitter*8/10 {
		t.Errorf("delays span %v..%v, want most of %v..%v", lo, hi, mean-jitter, mean+jitter)
	}
	if a[0] == a[4] && a[4] == a[8] {
		t.Error("repeats of one request drew the same delay")
	}
	if d := newServer(demo()).delay(httptest.NewRequest("GET", "/v2/users", nil)); d != 0 {
		t.Errorf("no latency configured: %v", d)
	}

	// A delayed request takes at least its delay.
	s := startServer(t, demo(), WithLatency(30*time.Millisecond, 0))
	tok := token(t, s)
	start := time.Now()
	if r := get(t, s, tok, "/users"); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if took := time.Since(start); took < 30*time.Millisecond {
		t.Errorf("request took %v, less than its 30ms latency", took)
	}
}
