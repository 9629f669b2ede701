package hubspottest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestServer_auth(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithToken("tok-a"), WithToken("tok-b"))
	tests := []struct {
		name       string
		haveToken  string
		wantStatus int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "demo-token", http.StatusUnauthorized},
		{"first token", "tok-a", http.StatusOK},
		{"second token", "tok-b", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, srv, tt.haveToken, "GET", "/crm/v3/properties/contacts", nil)
			wantStatus(t, r, tt.wantStatus)
			corr := r.header.Get("X-HubSpot-Correlation-Id")
			if !uuidRE.MatchString(corr) {
				t.Errorf("correlation id %q is not a uuid", corr)
			}
			if tt.wantStatus != http.StatusUnauthorized {
				return
			}
			body := r.json(t)
			if body["category"] != "INVALID_AUTHENTICATION" || body["status"] != "error" || body["correlationId"] != corr ||
				!strings.HasPrefix(body["message"].(string), "Authentication credentials not found.") {
				t.Errorf("401 body = %v", body)
			}
		})
	}
}

func TestServer_unknownRoute(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct{ method, path string }{
		{"POST", "/crm/v3/objects/contact/batch/upsert"},
		{"POST", "/v3/objects/contacts"},
		{"POST", "/crm/v3/objects/contacts/"},
		{"GET", "/crm/v3/objects/contacts/"},                  // trailing slash
		{"PUT", "/crm/v3/objects/contacts/batch/upsert"},      // served for POST only: no 405
		{"GET", "/crm/v3//objects/contacts"},                  // not canonical: no redirect
		{"GET", "/crm/v3/objects/contacts/../contacts"},       // not canonical: no redirect
		{"GET", "/crm/v3/properties/contacts/groups/a/b"},     // one segment too many
		{"POST", "/crm/v3/timeline/events/batch/create/more"}, // one segment too many
	}
	for _, tt := range tests {
		r := do(t, srv, tt.method, tt.path, m{})
		wantStatus(t, r, http.StatusInternalServerError)
		if got := r.json(t)["message"]; got != "no route in test fixture: "+tt.path {
			t.Errorf("%s %s: message = %q", tt.method, tt.path, got)
		}
	}
	// HEAD is not GET: a GET pattern does not serve it.
	r := do(t, srv, "HEAD", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, http.StatusInternalServerError)
}

// TestRoutes: every pattern is served (a route whose pattern a ServeMux took
// is found again by its own path), by the mux of its authentication scheme.
func TestRoutes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	seen := map[string]bool{}
	for _, rt := range routes() {
		if seen[rt.pattern] {
			t.Errorf("pattern %q registered twice", rt.pattern)
		}
		seen[rt.pattern] = true
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = regexp.MustCompile(`\{[A-Za-z]+\}`).ReplaceAllString(path, "x1")
		req, _ := http.NewRequest(method, "http://127.0.0.1"+path, nil)
		set := srv.routeOf(req)
		if set == nil || set.devKey != rt.devKey {
			t.Errorf("%s: not served by its mux (set %v)", rt.pattern, set)
			continue
		}
		if _, got := set.mux.Handler(req); got != rt.pattern {
			t.Errorf("%s %s: served by %q", method, path, got)
		}
	}
	if got := Routes(); len(got) != len(seen) {
		t.Errorf("Routes() lists %d patterns, want %d", len(got), len(seen))
	}
}

func TestServer_maxBody(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithMaxBodyBytes(1024))
	big := `{"inputs":[{"id":"a@example.com","idProperty":"email","properties":{"firstname":"` + strings.Repeat("x", 2000) + `"}}]}`
	r := do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", big)
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if len(srv.Contacts()) != 0 {
		t.Error("a 413 request wrote contacts")
	}
}

func TestServer_rateLimitHeaders(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := do(t, srv, "GET", "/crm/v3/properties/contacts", nil)
	wantStatus(t, r, http.StatusOK)
	want := map[string]string{
		"X-HubSpot-RateLimit-Daily":                 "625000",
		"X-HubSpot-RateLimit-Daily-Remaining":       "624999",
		"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
		"X-HubSpot-RateLimit-Max":                   "190",
		"X-HubSpot-RateLimit-Remaining":             "189",
		"X-HubSpot-RateLimit-Secondly":              "19",
		"X-HubSpot-RateLimit-Secondly-Remaining":    "18",
	}
	got := map[string]string{}
	for k := range want {
		got[k] = r.header.Get(k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}

	unl := newTestServer(t, WithTier("unlimited"))
	r = do(t, unl, "GET", "/crm/v3/properties/contacts", nil)
	if r.header.Get("X-HubSpot-RateLimit-Max") != "" || r.header.Get("X-HubSpot-Correlation-Id") == "" {
		t.Errorf("unlimited tier headers: %v", r.header)
	}
}

// fakeClock is a settable clock, so window tests never sleep.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestServer_burst429FreeTier(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	srv := newTestServer(t, WithTier("free"), WithClock(clock.now), WithToken("app-1"), WithToken("app-2"))
	for i := range 100 {
		r := send(t, srv, "app-1", "GET", "/crm/v3/properties/contacts", nil)
		wantStatus(t, r, http.StatusOK)
		if got, want := r.header.Get("X-HubSpot-RateLimit-Remaining"), strconv.Itoa(99-i); got != want {
			t.Fatalf("request %d: remaining = %s, want %s", i, got, want)
		}
	}
	r := send(t, srv, "app-1", "GET", "/crm/v3/properties/contacts", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	body := r.json(t)
	want := m{"status": "error", "message": "You have reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT",
		"policyName": "TEN_SECONDLY_ROLLING", "category": "RATE_LIMITS"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("429 body %s = %v, want %v", k, body[k], v)
		}
	}
	if body["correlationId"] != r.header.Get("X-HubSpot-Correlation-Id") || body["requestId"] == "" {
		t.Errorf("429 ids: %v", body)
	}
	if r.header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Errorf("429 remaining = %q", r.header.Get("X-HubSpot-RateLimit-Remaining"))
	}
	// The burst window is per token (app); the other app is not limited.
	wantStatus(t, send(t, srv, "app-2", "GET", "/crm/v3/properties/contacts", nil), http.StatusOK)
	// The window rolls: 10 s later the first app is served again.
	clock.add(10 * time.Second)
	wantStatus(t, send(t, srv, "app-1", "GET", "/crm/v3/properties/contacts", nil), http.StatusOK)
}

func TestServer_daily429(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2026, 5, 1, 23, 59, 0, 0, time.UTC)}
	srv := newTestServer(t, WithRateLimits(0, 3), WithClock(clock.now))
	for range 3 {
		wantStatus(t, do(t, srv, "GET", "/settings/v3/users", nil), http.StatusOK)
	}
	r := do(t, srv, "GET", "/settings/v3/users", nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	if b := r.json(t); b["policyName"] != "DAILY" || b["message"] != "You have reached your daily limit." {
		t.Errorf("daily 429 body = %v", b)
	}
	clock.add(time.Minute) // midnight UTC resets the daily counter
	r = do(t, srv, "GET", "/settings/v3/users", nil)
	wantStatus(t, r, http.StatusOK)
	if got := r.header.Get("X-HubSpot-RateLimit-Daily-Remaining"); got != "2" {
		t.Errorf("daily remaining after reset = %s", got)
	}
}

func TestServer_faults(t *testing.T) {
	t.Parallel()
	const path = "/crm/v3/properties/contacts"
	tests := []struct {
		name         string
		haveFault    Fault
		wantStatus   int
		wantCategory string
		wantPolicy   string
	}{
		{"burst", Fault{Kind: Fault429Burst}, 429, "RATE_LIMITS", "TEN_SECONDLY_ROLLING"},
		{"daily", Fault{Kind: Fault429Daily}, 429, "RATE_LIMITS", "DAILY"},
		{"locked", Fault{Kind: Fault423}, 423, "LOCKED", ""},
		{"500 default", Fault{Kind: Fault5xx}, 500, "INTERNAL_ERROR", ""},
		{"502", Fault{Kind: Fault5xx, Status: 502}, 502, "INTERNAL_ERROR", ""},
		{"503", Fault{Kind: Fault5xx, Status: 503}, 503, "INTERNAL_ERROR", ""},
		{"expired token", Fault{Kind: FaultExpiredToken}, 401, "EXPIRED_AUTHENTICATION", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.haveFault
			f.Path, f.After, f.Times = "/properties/", 1, 2
			srv := newTestServer(t, WithFault(f))
			wantStatus(t, do(t, srv, "GET", "/settings/v3/users", nil), 200) // path does not match
			wantStatus(t, do(t, srv, "GET", path, nil), 200)                 // After: 1
			for range 2 {
				r := do(t, srv, "GET", path, nil)
				wantStatus(t, r, tt.wantStatus)
				b := r.json(t)
				if b["category"] != tt.wantCategory || tt.wantPolicy != "" && b["policyName"] != tt.wantPolicy {
					t.Errorf("body = %v", b)
				}
			}
			wantStatus(t, do(t, srv, "GET", path, nil), 200) // Times: 2 used up
		})
	}

	t.Run("method filter and AddFault", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t)
		srv.AddFault(Fault{Method: "POST", Kind: Fault5xx, Status: 504, Times: -1})
		wantStatus(t, do(t, srv, "GET", path, nil), 200)
		for range 3 {
			wantStatus(t, do(t, srv, "POST", "/crm/v3/properties/contacts/groups", m{"name": "g", "label": "G"}), 504)
		}
		if len(srv.Groups("contacts")) != 2 {
			t.Errorf("a faulted write changed state: %v", srv.Groups("contacts"))
		}
	})

	t.Run("malformed", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: FaultMalformed}))
		r := do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(m{"id": "a@example.com"}))
		wantStatus(t, r, 200)
		if json.Valid(r.body) {
			t.Errorf("body is valid JSON: %s", r.body)
		}
		if len(srv.Contacts()) != 0 {
			t.Error("a malformed-fault request wrote a contact")
		}
	})

	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: FaultReset}))
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("reset fault: got status %d, want a transport error", resp.StatusCode)
		}
		wantStatus(t, do(t, srv, "GET", path, nil), 200)
		if got := srv.Requests()[0].Status; got != 0 {
			t.Errorf("logged status of reset request = %d, want 0", got)
		}
	})

	t.Run("stall until the client gives up", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: FaultStall, Stall: time.Hour}))
		client := &http.Client{Timeout: 100 * time.Millisecond}
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		_, err := client.Do(req)
		if err == nil || !strings.Contains(err.Error(), "Timeout") && !strings.Contains(err.Error(), "deadline") {
			t.Fatalf("stall: err = %v, want a client timeout", err)
		}
		wantStatus(t, do(t, srv, "GET", path, nil), 200)
	})

	t.Run("stalled write lands after the client gave up", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: FaultStall, Stall: time.Hour, Method: "POST"}))
		client := &http.Client{Timeout: 100 * time.Millisecond}
		req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+path+"/groups",
			strings.NewReader(`{"name":"stalled","label":"Stalled"}`))
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("stall: status %d, want a client timeout", resp.StatusCode)
		}
		if err := srv.WaitIdle(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(srv.Groups("contacts"), "stalled") {
			t.Errorf("groups = %v: the stalled write did not land", srv.Groups("contacts"))
		}
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("%d requests logged, want the stalled one", n)
		}
	})

	t.Run("short stall then served", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, WithFault(Fault{Kind: FaultStall, Stall: 20 * time.Millisecond}))
		wantStatus(t, do(t, srv, "GET", path, nil), 200)
	})
}

func TestServer_requestLog(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(m{"id": "a@example.com"}, m{"id": "b@example.com"}))
	do(t, srv, "GET", "/crm/v3/objects/contacts?limit=5", nil)
	do(t, srv, "DELETE", "/crm/v3/objects/contacts/999999", nil)
	want := []Request{
		{Method: "POST", Path: "/crm/v3/objects/contacts/batch/upsert", Status: 200, Inputs: 2, Write: true},
		{Method: "GET", Path: "/crm/v3/objects/contacts", Query: "limit=5", Status: 200},
		{Method: "DELETE", Path: "/crm/v3/objects/contacts/999999", Status: 204},
	}
	if diff := cmp.Diff(want, srv.Requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	srv.ResetRequests()
	if len(srv.Requests()) != 0 {
		t.Error("ResetRequests kept entries")
	}
}

func TestListen(t *testing.T) {
	t.Parallel()
	srv, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %s", srv.URL)
	}
	wantStatus(t, do(t, srv, "GET", "/settings/users/v3", nil), 200)
	if _, err := Listen("256.0.0.1:0"); err == nil {
		t.Error("Listen on a bad address succeeded")
	}
}

func TestServer_concurrent(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithTier("unlimited"))
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				email := "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i) + "@example.com"
				r := do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(m{"id": email}))
				if r.status != 200 {
					t.Errorf("upsert %s: %d %s", email, r.status, r.body)
				}
			}
		})
	}
	wg.Wait()
	if got := len(srv.Contacts()); got != 80 {
		t.Errorf("contacts = %d, want 80", got)
	}
}

// TestServer_latency: every request waits at least mean - jitter.
func TestServer_latency(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithLatency(40*time.Millisecond, 10*time.Millisecond))
	for range 3 {
		start := time.Now()
		wantStatus(t, do(t, srv, "GET", "/crm/v3/properties/contacts", nil), http.StatusOK)
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Errorf("request took %v, want at least 30ms", d)
		}
	}
	// Draws stay within mean ± jitter, spread over it, and the seed repeats them.
	draws := func(seed int64) []time.Duration {
		s := newServer([]Option{WithLatency(5*time.Millisecond, 5*time.Millisecond), WithShuffleSeed(seed)})
		var out []time.Duration
		for range 200 {
			out = append(out, s.latencyDraw())
		}
		return out
	}
	a := draws(1)
	if lo, hi := slices.Min(a), slices.Max(a); lo < 0 || hi > 10*time.Millisecond || hi-lo < 5*time.Millisecond {
		t.Errorf("draws in [%v, %v], want spread over [0, 10ms]", lo, hi)
	}
	if !slices.Equal(a, draws(1)) || slices.Equal(a, draws(2)) {
		t.Error("the seed does not fix the draws")
	}
}
