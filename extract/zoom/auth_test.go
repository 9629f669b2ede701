package zoom

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

func TestClient_tokenRequest(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var form, user, pass, ctype string
	var tokenCalls, apiCalls int
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/oauth/token":
			tokenCalls++
			user, pass, _ = r.BasicAuth()
			ctype = r.Header.Get("Content-Type")
			r.ParseForm()
			form = r.PostForm.Encode()
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"tok-1","token_type":"bearer","expires_in":3600,"api_url":"https://api.zoom.us"}`))
		case "/v2/users":
			apiCalls++
			gotAuth = r.Header.Get("Authorization")
			w.Write([]byte(`{"page_size":300,"total_records":0,"next_page_token":"","users":[]}`))
		default:
			http.Error(w, "no route in test fixture: "+r.URL.Path, 500)
		}
	}))
	defer srv.Close()
	c := NewClient(WithBaseURL(srv.URL+"/v2"), WithOAuthURL(srv.URL+"/oauth/token"),
		WithCredentials("acct-1", "client-1", "secret-1"), WithPlan("unlimited"))
	for range 3 {
		if _, _, err := c.Users.List(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if form != "account_id=acct-1&grant_type=account_credentials" || ctype != "application/x-www-form-urlencoded" {
		t.Errorf("token request body %q (%s), want account_id=acct-1&grant_type=account_credentials form", form, ctype)
	}
	if user != "client-1" || pass != "secret-1" {
		t.Errorf("Basic auth = %q:%q, want client-1:secret-1", user, pass)
	}
	if tokenCalls != 1 || apiCalls != 3 || gotAuth != "Bearer tok-1" {
		t.Errorf("%d token calls, %d API calls, Authorization %q; want 1, 3, Bearer tok-1", tokenCalls, apiCalls, gotAuth)
	}
}

func TestClient_badCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		creds      [3]string
		wantStatus int
	}{
		{"wrong secret", [3]string{"demo-account", "demo-client", "hunter2-wrong"}, 401},
		{"wrong account", [3]string{"other-account", "demo-client", "demo-secret"}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, nil, WithCredentials(tc.creds[0], tc.creds[1], tc.creds[2]))
			_, resp, err := f.client.Users.List(t.Context(), nil)
			var apiErr *APIError
			if !errors.Is(err, ErrBadCredentials) || !errors.As(err, &apiErr) || apiErr.StatusCode != tc.wantStatus || resp != nil {
				t.Fatalf("err = %v, want ErrBadCredentials with status %d", err, tc.wantStatus)
			}
			if strings.Contains(err.Error(), tc.creds[2]) {
				t.Errorf("error %q carries the secret", err)
			}
			if n := f.apiCalls(); n != 0 {
				t.Errorf("%d API calls without a token", n)
			}
		})
	}
}

func TestClient_tokenRejectedTwice(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/users", Kind: zoomtest.FaultExpireToken, Times: 2})})
	_, _, err := f.client.Users.List(t.Context(), nil)
	var apiErr *APIError
	if !errors.Is(err, ErrTokenInvalid) || !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != 124 {
		t.Fatalf("err = %v, want 401/124 ErrTokenInvalid", err)
	}
	if n, m := f.tokenCalls(), f.apiCalls(); n != 2 || m != 2 {
		t.Errorf("%d token and %d API calls, want 2 and 2 (one fresh token, one retry)", n, m)
	}
}

func TestClient_tokenRejectedOnce(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/users", Kind: zoomtest.FaultExpireToken})})
	if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if n := f.tokenCalls(); n != 2 {
		t.Errorf("%d token calls, want 2", n)
	}
}

func TestClient_earlyRefresh(t *testing.T) {
	t.Parallel()
	// Tokens living 30 s are always within the 60 s early-refresh window.
	f := setup(t, []zoomtest.Option{zoomtest.WithTokenTTL(30 * time.Second)})
	for range 3 {
		if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokenCalls(); n != 3 {
		t.Errorf("%d token calls, want 3", n)
	}
}

func TestClient_tokenEndpoint5xxRetried(t *testing.T) {
	t.Parallel()
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/oauth", Kind: zoomtest.Fault5xx})})
	if _, _, err := f.client.Users.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if n := f.retries.Load(); n != 1 {
		t.Errorf("retries = %d, want 1", n)
	}
}

func TestClient_contextErrors(t *testing.T) {
	t.Parallel()
	// The stall outlasts the deadline by far: a client that ignored ctx
	// would get the 200 after 30 s and fail the test, whatever the load of
	// the machine; no elapsed time is measured.
	f := setup(t, []zoomtest.Option{zoomtest.WithFault(zoomtest.Fault{Path: "/users", Kind: zoomtest.FaultLatency, Latency: 30 * time.Second})})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := f.client.Users.List(ctx, nil); err != context.DeadlineExceeded {
		t.Errorf("stalled call: err = %v, want context.DeadlineExceeded itself", err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	if _, _, err := f.client.Users.List(ctx, nil); err != context.Canceled {
		t.Errorf("cancelled ctx: err = %v, want context.Canceled itself", err)
	}
}

func TestAPIHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ have, want string }{
		{"https://api-eu.zoom.us", "api-eu.zoom.us"},
		{"http://127.0.0.1:1", ""}, // no downgrade to plain http
		{"", ""},
		{"not a url", ""},
	} {
		tok := (&oauth2.Token{AccessToken: "x"}).WithExtra(map[string]any{"api_url": tc.have})
		got := ""
		if u := apiHost(tok); u != nil {
			got = u.Host
		}
		if got != tc.want {
			t.Errorf("apiHost(%q) = %q, want %q", tc.have, got, tc.want)
		}
	}
}
