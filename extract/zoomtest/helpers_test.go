package zoomtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// demo is the account most tests share; it is read-only.
var demo = sync.OnceValue(func() *Account { return DemoAccount(1) })

func startServer(t *testing.T, acct *Account, opts ...Option) *Server {
	t.Helper()
	s := NewServer(acct, opts...)
	t.Cleanup(s.Close)
	return s
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) errBody(t *testing.T) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("decoding error body %q: %v", r.body, err)
	}
	return e
}

func do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", req.URL, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}
}

// token fetches an access token with the default credentials (form body).
func token(t *testing.T, s *Server) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", s.OAuthURL(),
		strings.NewReader("grant_type=account_credentials&account_id=demo-account"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-client", "demo-secret")
	res := do(t, req)
	if res.status != 200 {
		t.Fatalf("token: %d %s", res.status, res.body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(res.body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr.AccessToken
}

// get requests URL+"/v2"+pathQuery (already escaped) with the bearer token.
func get(t *testing.T, s *Server, tok, pathQuery string) result {
	t.Helper()
	return do(t, newGet(t, s, tok, pathQuery))
}

func newGet(t *testing.T, s *Server, tok, pathQuery string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", s.APIURL()+pathQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req
}

func decode[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
	return v
}

// doubleEscape encodes a uuid twice, as Zoom asks for uuids starting with "/" or holding "//".
func doubleEscape(uuid string) string { return url.QueryEscape(url.QueryEscape(uuid)) }

// find returns the first webinar of acct for which ok holds.
func find(t *testing.T, acct *Account, what string, ok func(*Webinar) bool) *Webinar {
	t.Helper()
	for _, w := range acct.Webinars {
		if ok(w) {
			return w
		}
	}
	t.Fatalf("no %s webinar in the account", what)
	return nil
}

func wantErr(t *testing.T, r result, status, code int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if e := r.errBody(t); e.Code != code {
		t.Fatalf("code %d, want %d: %s", e.Code, code, r.body)
	}
}
