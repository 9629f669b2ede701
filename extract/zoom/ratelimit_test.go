package zoom

import (
	"sync"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

func TestClient_clientSideLimiterWaits(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, WithRateLimits(map[Category]Limit{CategoryMedium: {PerSecond: 20, Burst: 1}}))
	start := time.Now()
	for range 5 {
		if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Burst 1 at 20/s: the 4 calls after the first wait 50 ms each.
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Errorf("5 Medium calls at 20/s took %v, want >= 200ms", d)
	}
	// Light is not limited by the Medium bucket.
	start = time.Now()
	for range 5 {
		if _, _, err := f.client.Webinars.ListPastInstances(t.Context(), demoAccount().Webinars[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("5 unlimited Light calls took %v", d)
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
