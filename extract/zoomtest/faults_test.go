package zoomtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseFaults(t *testing.T) {
	t.Parallel()
	good := []struct {
		spec string
		want []Fault
	}{
		{"", nil},
		{"  ", nil},
		{"429:n=20:retry-after=1,5xx:status=503:n=3,reset-mid-body:every=7,stall:n=1:for=90s", []Fault{
			{Kind: FaultQPS429, Times: 20, RetryAfter: time.Second},
			{Kind: Fault5xx, Status: 503, Times: 3},
			{Kind: FaultResetMidBody, Every: 7, Times: -1},
			{Kind: FaultStall, Times: 1, Latency: 90 * time.Second},
		}},
		{"429", []Fault{{Kind: FaultQPS429}}},
		{"429:retry-after=1500ms:n=inf", []Fault{{Kind: FaultQPS429, RetryAfter: 1500 * time.Millisecond, Times: -1}}},
		{"daily-429:route=/report/*", []Fault{{Kind: FaultDaily429, Route: "/report/*"}}},
		{" latency:for=2s:after=3 , malformed:route=/v2/users:method=get", []Fault{
			{Kind: FaultLatency, Latency: 2 * time.Second, After: 3},
			{Kind: FaultMalformed, Route: "/v2/users", Method: "GET"},
		}},
		{"expire-token:mid-listing=true:n=2,expired-page-token:every=2:n=3,reset,stall", []Fault{
			{Kind: FaultExpireToken, MidListing: true, Times: 2},
			{Kind: FaultExpiredPageToken, Every: 2, Times: 3},
			{Kind: FaultReset},
			{Kind: FaultStall},
		}},
		{"5xx:route=/oauth*", []Fault{{Kind: Fault5xx, Route: "/oauth*"}}},
		{"malformed:mid-listing=1", []Fault{{Kind: FaultMalformed, MidListing: true}}},
	}
	for _, tc := range good {
		got, err := ParseFaults(tc.spec)
		if err != nil {
			t.Errorf("ParseFaults(%q): %v", tc.spec, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ParseFaults(%q) (-want +got):\n%s", tc.spec, diff)
		}
	}
	bad := []struct{ spec, wantErr string }{
		{"teapot", `fault 1 "teapot": unknown fault kind "teapot" (want one of 429, 5xx, daily-429, expire-token, expired-page-token, latency, malformed, reset, reset-mid-body, stall)`},
		{"429,", `fault 2 "": unknown fault kind ""`},
		{"429:n", `fault 1 "429:n": "n" is not key=value`},
		{"429:=3", `fault 1 "429:=3": "=3" is not key=value`},
		{"429:n=0", `n="0": below 1`},
		{"429:n=x", `n="x": not an integer`},
		{"429:n=2:n=3", `key "n" given twice`},
		{"429:every=0", `every="0": below 1`},
		{"429:after=-1", `after="-1": below 0`},
		{"429:route=users", `route="users": want a path glob starting with / or *`},
		{"429:method=G3T", `method="G3T": want an HTTP method`},
		{"429:colour=red", `fault 1 "429:colour=red": unknown key "colour"`},
		{"reset:status=503", `key "status" does not apply to reset`},
		{"5xx:status=404", `status="404": below 500`},
		{"5xx:status=600", `status="600": above 599`},
		{"429:retry-after=soon", `retry-after="soon": want seconds or a duration, not negative`},
		{"stall:for=0s", `for="0s": want a positive duration`},
		{"stall:for=90", `for="90": time: missing unit in duration "90"`},
		{"expire-token:mid-listing=maybe", `mid-listing="maybe": strconv.ParseBool: parsing "maybe": invalid syntax`},
		{"429:for=1s", `key "for" does not apply to 429`},
		{"latency:for=1s,5xx:retry-after=1", `fault 2 "5xx:retry-after=1": key "retry-after" does not apply to 5xx`},
	}
	for _, tc := range bad {
		got, err := ParseFaults(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseFaults(%q) = %v, %v; want an error containing %q", tc.spec, got, err, tc.wantErr)
		}
	}
}

// faultServer starts a server with the faults of spec.
func faultServer(t *testing.T, spec string, opts ...Option) (*Server, string) {
	t.Helper()
	fs, err := ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, demo(), append(opts, WithPlan("unlimited"), WithFaults(fs...))...)
	return s, token(t, s)
}

func TestServer_Fault429Storm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec, wantRetryAfter string
	}{
		{"429:n=3:route=/users", ""},
		{"429:n=3:route=/users:retry-after=2", "2"},
		{"429:n=3:route=/users:retry-after=1500ms", "2"},
	} {
		s, tok := faultServer(t, tc.spec)
		for i := range 4 {
			res := get(t, s, tok, "/users")
			if i == 3 {
				if res.status != 200 {
					t.Errorf("%s: after the storm: %d", tc.spec, res.status)
				}
				continue
			}
			wantErr(t, res, 429, 429)
			if h := res.header; h.Get("Retry-After") != tc.wantRetryAfter || h.Get("X-RateLimit-Type") != "QPS" || h.Get("X-RateLimit-Category") != Medium {
				t.Errorf("%s: request %d: headers %v, want Retry-After %q", tc.spec, i, h, tc.wantRetryAfter)
			}
		}
	}
}

func TestServer_FaultFilters(t *testing.T) {
	t.Parallel()
	acct := demo()
	w := find(t, acct, "held", func(w *Webinar) bool { return len(w.Instances) > 0 && !w.Expired })
	s, tok := faultServer(t, "5xx:every=3:route=/report/*/participants,5xx:status=502:method=POST:n=inf")
	participants := fmt.Sprintf("/report/webinars/%d/participants", w.ID)
	for i := 1; i <= 7; i++ {
		want := 200
		if i%3 == 0 {
			want = 503
		}
		if res := get(t, s, tok, participants); res.status != want {
			t.Errorf("participants request %d: %d, want %d", i, res.status, want)
		}
		if res := get(t, s, tok, fmt.Sprintf("/report/webinars/%d", w.ID)); res.status != 200 {
			t.Errorf("report request %d: %d (the glob must not match it)", i, res.status)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", s.APIURL()+fmt.Sprintf("/webinars/%d/registrants", w.ID), strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	wantErr(t, do(t, req), 502, 502)

	// Outside /v2, a route glob must name the endpoint: "*" is every API request only.
	o, otok := faultServer(t, "")
	fs, err := ParseFaults("5xx:route=/oauth*:n=inf,5xx:status=504:route=*:n=inf")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		o.AddFault(f)
	}
	req, _ = http.NewRequestWithContext(t.Context(), "POST", o.OAuthURL()+"?grant_type=account_credentials&account_id=demo-account", nil)
	req.SetBasicAuth("demo-client", "demo-secret")
	wantErr(t, do(t, req), 503, 503)
	wantErr(t, get(t, o, otok, "/users"), 504, 504)
}

func TestServer_FaultResetMidBody(t *testing.T) {
	t.Parallel()
	s2, tok2 := faultServer(t, "reset-mid-body:route=/users")
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(newGet(t, s2, tok2, "/users"))
	if err != nil {
		t.Fatalf("the headers must arrive: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("status %d, read %d bytes of %d, err %v; want 200 and an unexpected EOF mid-body", resp.StatusCode, len(body), resp.ContentLength, err)
	}
	if n := int64(len(body)); n == 0 || n >= resp.ContentLength || !strings.HasPrefix(string(body), `{"`) {
		t.Errorf("got %d bytes of %d: %q", n, resp.ContentLength, body)
	}
	if err := s2.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := s2.Stats(); st.ByStatus[200] != 2 || st.ByRoute["GET /users"] != 1 { // token and the cut page
		t.Errorf("stats %+v", st)
	}
	if r := get(t, s2, tok2, "/users"); r.status != 200 {
		t.Errorf("after the fault: %d", r.status)
	}
}

func TestServer_FaultStall(t *testing.T) {
	t.Parallel()
	s, tok := faultServer(t, "stall:route=/users,stall:for=1ms:route=/users/*")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		req := newGet(t, s, tok, "/users")
		_, err := http.DefaultClient.Do(req.WithContext(ctx))
		done <- err
	}()
	if err := s.WaitStalled(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	cancel() // the client's timeout
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("stalled request: %v", err)
	}
	host := demo().Users[0].ID
	if r := get(t, s, tok, "/users/"+host+"/webinars"); r.status != 200 { // held 1 ms, then served
		t.Errorf("short stall: %d %s", r.status, r.body)
	}
	if err := s.WaitStalled(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
}

// TestServer_FaultExpiredPageToken: the token of a listing's second page is refused as
// Zoom refuses an expired one, and stays refused; only a listing started again goes on.
func TestServer_FaultExpiredPageToken(t *testing.T) {
	t.Parallel()
	s, tok := faultServer(t, "expired-page-token:route=/users")
	first := decode[pageParams](t, get(t, s, tok, "/users?page_size=1")) // no token: never matched
	second := "/users?page_size=1&next_page_token=" + url.QueryEscape(first.NextPageToken)
	for range 2 {
		res := get(t, s, tok, second)
		wantErr(t, res, 400, 300)
		if e := res.errBody(t); e.Message != "The next page token is invalid or expired." {
			t.Errorf("message %q", e.Message)
		}
	}
	again := decode[pageParams](t, get(t, s, tok, "/users?page_size=1"))
	if r := get(t, s, tok, "/users?page_size=1&next_page_token="+url.QueryEscape(again.NextPageToken)); r.status != 200 {
		t.Errorf("restarted listing: %d %s", r.status, r.body)
	}
}

// TestServer_FaultExpireTokenMidListing: the access token expires between two pages.
func TestServer_FaultExpireTokenMidListing(t *testing.T) {
	t.Parallel()
	s, tok := faultServer(t, "expire-token:mid-listing=true")
	first := decode[pageParams](t, get(t, s, tok, "/users?page_size=1"))
	second := "/users?page_size=1&next_page_token=" + url.QueryEscape(first.NextPageToken)
	res := get(t, s, tok, second)
	wantErr(t, res, 401, 124)
	if e := res.errBody(t); e.Message != "Access token is expired." {
		t.Errorf("message %q", e.Message)
	}
	wantErr(t, get(t, s, tok, "/users"), 401, 124) // the token stays expired
	if r := get(t, s, token(t, s), second); r.status != 200 {
		t.Errorf("second page with a new token: %d %s", r.status, r.body)
	}
}

func TestServer_FaultMalformedPage(t *testing.T) {
	t.Parallel()
	s, tok := faultServer(t, "malformed:route=/users:mid-listing=true")
	first := get(t, s, tok, "/users?page_size=1")
	env := decode[pageParams](t, first) // the first page is whole
	res := get(t, s, tok, "/users?page_size=1&next_page_token="+url.QueryEscape(env.NextPageToken))
	if res.status != 200 || json.Valid(res.body) || !strings.HasPrefix(string(res.body), `{"`) {
		t.Fatalf("malformed page: %d %q", res.status, res.body)
	}
	if n, _ := strconv.Atoi(res.header.Get("Content-Length")); n != len(res.body) {
		t.Errorf("Content-Length %d for %d bytes: the response must be complete", n, len(res.body))
	}
}
