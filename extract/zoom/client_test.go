package zoom

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/internal/httpretry"
	"github.com/zoomsync/zoomsync/internal/paging"
)

// demoAccount is the account the simulator tests read; it is never modified.
var demoAccount = sync.OnceValue(func() *zoomtest.Account { return zoomtest.DemoAccount(7) })

// fixture is a client wired to a fresh simulator serving demoAccount.
type fixture struct {
	client  *Client
	srv     *zoomtest.Server
	acct    *zoomtest.Account
	retries *atomic.Int32 // retries the transport made
}

// setup starts a simulator (no rate limiting unless simOpts say so) and a
// client for it with fast retries and no client-side limits; opts come last
// and may override.
func setup(t *testing.T, simOpts []zoomtest.Option, opts ...Option) *fixture {
	t.Helper()
	acct := demoAccount()
	srv := zoomtest.NewServer(acct, append([]zoomtest.Option{zoomtest.WithPlan("unlimited")}, simOpts...)...)
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, acct: acct, retries: new(atomic.Int32)}
	base := []Option{
		WithBaseURL(srv.APIURL()),
		WithOAuthURL(srv.OAuthURL()),
		WithCredentials("demo-account", "demo-client", "demo-secret"),
		WithPlan("unlimited"),
		WithRetry(3, time.Millisecond, 10*time.Millisecond),
		WithOnRetry(func(*http.Request, httpretry.Decision, time.Duration) { f.retries.Add(1) }),
	}
	f.client = NewClient(append(base, opts...)...)
	return f
}

// apiCalls counts the simulator's API requests (token requests excluded).
func (f *fixture) apiCalls() int {
	st := f.srv.Stats()
	return st.Total - st.ByRoute["POST /oauth/token"]
}

// tokenCalls counts the simulator's token requests.
func (f *fixture) tokenCalls() int { return f.srv.Stats().ByRoute["POST /oauth/token"] }

func TestEncodeUUID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ have, want string }{
		{"wPUYIy/pR2mPs5r9no2GmA==", "wPUYIy%252FpR2mPs5r9no2GmA%253D%253D"},
		{"/abc//d==", "%252Fabc%252F%252Fd%253D%253D"},
		{"4444AAAiAAAAAiAiAiiAii==", "4444AAAiAAAAAiAiAiiAii%253D%253D"},
		{"a+b", "a%252Bb"},
		{"97871060099", "97871060099"},
	} {
		if got := EncodeUUID(tc.have); got != tc.want {
			t.Errorf("EncodeUUID(%q) = %q, want %q", tc.have, got, tc.want)
		}
	}
}

func TestClient_NewRequest_keepsDoubleEncoding(t *testing.T) {
	t.Parallel()
	c := NewClient(WithBaseURL("http://127.0.0.1:1/v2/"))
	req, err := c.NewRequest(t.Context(), "GET", "report/webinars/"+EncodeUUID("/abc//d==")+"/participants", url.Values{"page_size": {"300"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.URL.String(), "http://127.0.0.1:1/v2/report/webinars/%252Fabc%252F%252Fd%253D%253D/participants?page_size=300"; got != want {
		t.Errorf("URL = %s\nwant  %s", got, want)
	}
	if got := c.category(req); got != CategoryHeavy {
		t.Errorf("category = %s, want Heavy", got)
	}
}

func TestNewClient_configErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"bad plan", []Option{WithPlan("gold")}, `unknown plan "gold"`},
		{"relative base", []Option{WithBaseURL("api.zoom.us/v2")}, "base URL"},
		{"relative oauth", []Option{WithOAuthURL("/oauth/token")}, "OAuth URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClient(tc.opts...)
			_, _, err := c.Users.List(t.Context(), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCategoryOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, path string
		want         Category
	}{
		{"GET", "users", CategoryMedium},
		{"GET", "users/abc/webinars", CategoryMedium},
		{"GET", "webinars/123", CategoryLight},
		{"GET", "webinars/123/registrants", CategoryMedium},
		{"GET", "webinars/123/registrants/questions", CategoryLight},
		{"POST", "webinars/123/registrants", CategoryLight},
		{"GET", "past_webinars/123/instances", CategoryLight},
		{"GET", "past_webinars/123/absentees", CategoryHeavy},
		{"GET", "report/webinars/abc%253D%253D", CategoryHeavy},
		{"GET", "report/webinars/abc%253D%253D/participants", CategoryHeavy},
		{"GET", "meetings/123/recordings", CategoryLight},
		{"GET", "metrics/webinars", CategoryResourceIntensive},
		{"GET", "something/else", CategoryHeavy},
	} {
		if got := categoryOf(tc.method, tc.path); got != tc.want {
			t.Errorf("categoryOf(%s %s) = %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestPlanLimits(t *testing.T) {
	t.Parallel()
	pro, err := PlanLimits("pro")
	if err != nil {
		t.Fatal(err)
	}
	// 100 % of Zoom's quota, burst of half of it.
	if pro[CategoryLight] != (Limit{30, 15}) || pro[CategoryMedium] != (Limit{20, 10}) || pro[CategoryHeavy] != (Limit{10, 5}) {
		t.Errorf("pro limits = %v", pro)
	}
	if got := pro[CategoryResourceIntensive].PerSecond * 60; got < 9.99 || got > 10.01 {
		t.Errorf("pro Resource-intensive = %v/min, want 10", got)
	}
	biz, _ := PlanLimits("business")
	free, _ := PlanLimits("free")
	if biz[CategoryLight] != (Limit{80, 40}) || free[CategoryHeavy] != (Limit{1, 1}) {
		t.Errorf("business %v, free %v", biz, free)
	}
	if _, err := PlanLimits("platinum"); err == nil {
		t.Error("PlanLimits(platinum) succeeded")
	}
}

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2020, 5, 30, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("x-ratelimit-category", "heavy")
	h.Set("X-RateLimit-Type", "Daily-limit")
	h.Set("X-RateLimit-Limit", "30000")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("Retry-After", "2020-05-31T00:00:00Z")
	want := RateLimit{Category: CategoryHeavy, Type: RateLimitTypeDaily, Limit: 30000, Remaining: 0,
		Reset: time.Date(2020, 5, 31, 0, 0, 0, 0, time.UTC)}
	if diff := cmp.Diff(want, parseRateLimit(h, now)); diff != "" {
		t.Errorf("parseRateLimit (-want +got):\n%s", diff)
	}
	h = http.Header{"Retry-After": {"2"}}
	if got := parseRateLimit(h, now).Reset; !got.Equal(now.Add(2 * time.Second)) {
		t.Errorf("Reset = %v, want now+2s", got)
	}
}

func TestClassifyResponse(t *testing.T) {
	t.Parallel()
	mk := func(status int, hdr map[string]string, body string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}, Body: http.NoBody}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		if body != "" {
			r.Body = readCloser(body)
		}
		return r
	}
	for _, tc := range []struct {
		name      string
		resp      *http.Response
		err       error
		wantRetry bool
		wantAfter time.Duration
	}{
		{"transport error", nil, errors.New("connection reset"), true, 0},
		{"503", mk(503, nil, ""), nil, true, 0},
		{"500 retry-after", mk(500, map[string]string{"Retry-After": "3"}, ""), nil, true, 3 * time.Second},
		{"501", mk(501, nil, ""), nil, false, 0},
		{"404", mk(404, nil, ""), nil, false, 0},
		{"429 QPS", mk(429, map[string]string{"X-RateLimit-Type": "QPS", "Retry-After": "1"}, ""), nil, true, time.Second},
		{"429 no headers", mk(429, nil, `{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}`), nil, true, 0},
		{"429 daily", mk(429, map[string]string{"X-RateLimit-Type": "Daily-limit"}, ""), nil, false, 0},
		{"429 daily by message", mk(429, nil, `{"code":429,"message":"You have exceeded the daily rate limit of \"3\" for Add a webinar registrant API requests"}`), nil, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := classifyResponse(tc.resp, tc.err)
			if d.Retry != tc.wantRetry || d.After != tc.wantAfter {
				t.Errorf("decision = %+v, want retry %v after %v", d, tc.wantRetry, tc.wantAfter)
			}
		})
	}
}

func TestClassifyResponse_putsBodyBack(t *testing.T) {
	t.Parallel()
	body := `{"code":429,"message":"You have reached the maximum daily rate limit for this API."}`
	r := &http.Response{StatusCode: 429, Header: http.Header{}, Body: readCloser(body)}
	if d := classifyResponse(r, nil); d.Retry {
		t.Fatal("daily limit retried")
	}
	b := new(strings.Builder)
	if _, err := copyAll(b, r.Body); err != nil || b.String() != body {
		t.Fatalf("body after classify = %q, %v; want the original", b.String(), err)
	}
}

func TestAPIError_Is(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		have *APIError
		want []error
		not  []error
	}{
		{&APIError{StatusCode: 404, Code: 3001}, []error{ErrNotFound, ErrWebinarNotFound}, []error{ErrUserNotFound, ErrTokenInvalid}},
		{&APIError{StatusCode: 404, Code: 1001}, []error{ErrNotFound, ErrUserNotFound}, []error{ErrWebinarNotFound}},
		{&APIError{StatusCode: 401, Code: 124}, []error{ErrTokenInvalid}, []error{ErrBadCredentials, ErrNotFound}},
		{&APIError{StatusCode: 401, tokenEndpoint: true}, []error{ErrBadCredentials}, []error{ErrTokenInvalid}},
		{&APIError{StatusCode: 400, Code: 12702}, []error{ErrReportTooOld, ErrBadRequest}, []error{ErrNotFound}},
		{&APIError{StatusCode: 400, Code: 3000}, []error{ErrNoRegistration, ErrBadRequest}, []error{ErrNotFound, ErrValidation}},
		{&APIError{StatusCode: 404, Code: 3000}, []error{ErrNoRegistration, ErrNotFound}, []error{ErrBadRequest}},
		{&APIError{StatusCode: 404, Code: 3301}, []error{ErrNotFound, ErrNoRecording}, nil},
		{&APIError{StatusCode: 400, Code: 300, Message: "The next page token is invalid or expired."}, []error{ErrPageTokenInvalid}, nil},
		{&APIError{StatusCode: 400, Code: 300, Message: "Validation Failed."}, nil, []error{ErrPageTokenInvalid}},
		{&APIError{StatusCode: 403, Code: 4711}, []error{ErrMissingScope}, nil},
		{&APIError{StatusCode: 400, Code: 200}, []error{ErrNoPermission}, nil},
	} {
		for _, w := range tc.want {
			if !errors.Is(tc.have, w) {
				t.Errorf("errors.Is(%v, %v) = false", tc.have, w)
			}
		}
		for _, w := range tc.not {
			if errors.Is(tc.have, w) {
				t.Errorf("errors.Is(%v, %v) = true", tc.have, w)
			}
		}
	}
	daily := &RateLimitError{Category: CategoryHeavy, Type: RateLimitTypeDaily}
	qps := &RateLimitError{Category: CategoryHeavy, Type: RateLimitTypeQPS}
	if !errors.Is(daily, ErrDailyLimit) || !errors.Is(daily, ErrRateLimited) || errors.Is(qps, ErrDailyLimit) || !errors.Is(qps, ErrRateLimited) {
		t.Error("RateLimitError.Is mismatch")
	}
}

func TestAPIError_Error(t *testing.T) {
	t.Parallel()
	e := &APIError{StatusCode: 400, Code: 300, Message: "Validation Failed.", Method: "POST", Path: "/v2/webinars/1/registrants",
		Errors: []FieldError{{Field: "email", Message: "Invalid field."}}}
	want := "zoom: POST /v2/webinars/1/registrants: 400 code 300: Validation Failed.; email: Invalid field."
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q\nwant      %q", got, want)
	}
}

// TestClient_bodyCutMidStreamRetried: a 200 that promises more bytes than
// it sends before the connection drops is retried like a transport error,
// and the call returns the whole answer of the next try.
func TestClient_bodyCutMidStreamRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	body := `{"page_size":300,"next_page_token":"","users":[{"id":"u1","email":"a@example.com"},{"id":"u2","email":"b@example.com"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"t","token_type":"bearer","expires_in":3600}`))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(body[:len(body)/2]))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection drops mid-body
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()
	var retries atomic.Int32
	c := NewClient(WithBaseURL(srv.URL+"/v2"), WithOAuthURL(srv.URL+"/oauth/token"), WithPlan("unlimited"),
		WithRetry(2, time.Millisecond, time.Millisecond),
		WithOnRetry(func(*http.Request, httpretry.Decision, time.Duration) { retries.Add(1) }))
	users, _, err := c.Users.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[1].Email != "b@example.com" {
		t.Errorf("users = %+v, want the two of the whole body", users)
	}
	if calls.Load() != 2 || retries.Load() != 1 {
		t.Errorf("%d calls, %d retries; want 2 and 1", calls.Load(), retries.Load())
	}

	// Without retries the damage is the call's error, named as such.
	calls.Store(0)
	c = NewClient(WithBaseURL(srv.URL+"/v2"), WithOAuthURL(srv.URL+"/oauth/token"), WithPlan("unlimited"), WithRetry(0, 0, 0))
	if _, _, err := c.Users.List(t.Context(), nil); !errors.Is(err, errDamagedBody) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want errDamagedBody wrapping io.ErrUnexpectedEOF", err)
	}
}

func TestListIter_repeatedTokenStopsWithoutTheToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth/token" {
			w.Write([]byte(`{"access_token":"t","token_type":"bearer","expires_in":3600}`))
			return
		}
		w.Write([]byte(`{"next_page_token":"secret-ish-token","users":[{"id":"u1"}]}`))
	}))
	defer srv.Close()
	c := NewClient(WithBaseURL(srv.URL+"/v2"), WithOAuthURL(srv.URL+"/oauth/token"), WithPlan("unlimited"))
	n := 0
	var err error
	for _, err = range c.Users.ListIter(t.Context(), nil) {
		if err != nil {
			break
		}
		n++
	}
	if !errors.Is(err, paging.ErrRepeatedCursor) || !strings.Contains(err.Error(), "GET /v2/users") || strings.Contains(err.Error(), "secret-ish-token") {
		t.Errorf("err = %v, want ErrRepeatedCursor naming GET /v2/users without the token", err)
	}
	// The page that repeats its own token is not yielded: it is most
	// likely the same page again.
	if n != 1 {
		t.Errorf("yielded %d users before the loop was seen, want the first page's 1", n)
	}
}
