package zoomtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServer_Token(t *testing.T) {
	t.Parallel()
	s := startServer(t, demo())
	tests := []struct {
		name       string
		method     string
		query      string
		form       string
		id, secret string
		wantStatus int
		wantError  string
	}{
		{name: "form body", method: "POST", form: "grant_type=account_credentials&account_id=demo-account", id: "demo-client", secret: "demo-secret", wantStatus: 200},
		{name: "query string", method: "POST", query: "grant_type=account_credentials&account_id=demo-account", id: "demo-client", secret: "demo-secret", wantStatus: 200},
		{name: "bad secret", method: "POST", form: "grant_type=account_credentials&account_id=demo-account", id: "demo-client", secret: "nope", wantStatus: 401, wantError: "invalid_client"},
		{name: "no basic auth", method: "POST", form: "grant_type=account_credentials&account_id=demo-account", wantStatus: 401, wantError: "invalid_client"},
		{name: "bad grant", method: "POST", form: "grant_type=client_credentials&account_id=demo-account", id: "demo-client", secret: "demo-secret", wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "missing grant", method: "POST", form: "account_id=demo-account", id: "demo-client", secret: "demo-secret", wantStatus: 400, wantError: "invalid_request"},
		{name: "wrong account", method: "POST", form: "grant_type=account_credentials&account_id=other", id: "demo-client", secret: "demo-secret", wantStatus: 400, wantError: "invalid_request"},
		{name: "GET", method: "GET", query: "grant_type=account_credentials&account_id=demo-account", id: "demo-client", secret: "demo-secret", wantStatus: 405, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := s.OAuthURL()
			if tc.query != "" {
				u += "?" + tc.query
			}
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, u, strings.NewReader(tc.form))
			if tc.form != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tc.id != "" {
				req.SetBasicAuth(tc.id, tc.secret)
			}
			res := do(t, req)
			if res.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.status, tc.wantStatus, res.body)
			}
			if tc.wantStatus != 200 {
				var e oauthError
				if err := json.Unmarshal(res.body, &e); err != nil || e.Error != tc.wantError || e.Reason == "" {
					t.Fatalf("body %s, want error %q with a reason (%v)", res.body, tc.wantError, err)
				}
				return
			}
			tr := decode[tokenResponse](t, res)
			if tr.AccessToken == "" || tr.TokenType != "bearer" || tr.ExpiresIn != 3600 || tr.APIURL != s.URL ||
				!strings.Contains(tr.Scope, "webinar:read:admin") || !strings.Contains(tr.Scope, "report:read:admin") {
				t.Fatalf("token response %+v", tr)
			}
			if r := get(t, s, tr.AccessToken, "/users"); r.status != 200 {
				t.Fatalf("GET /users with the new token: %d %s", r.status, r.body)
			}
		})
	}
}

func TestServer_Auth(t *testing.T) {
	t.Parallel()
	t.Run("missing and invalid", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, demo())
		for _, tok := range []string{"", "garbage"} {
			res := get(t, s, tok, "/users")
			wantErr(t, res, 401, 124)
			if e := res.errBody(t); e.Message != "Invalid access token." {
				t.Errorf("message %q", e.Message)
			}
		}
	})
	t.Run("ttl", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, demo(), WithTokenTTL(time.Nanosecond))
		res := get(t, s, token(t, s), "/users")
		wantErr(t, res, 401, 124)
		if e := res.errBody(t); e.Message != "Access token is expired." {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("ExpireTokens", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, demo())
		tok := token(t, s)
		if r := get(t, s, tok, "/users"); r.status != 200 {
			t.Fatalf("before: %d", r.status)
		}
		s.ExpireTokens()
		res := get(t, s, tok, "/users")
		wantErr(t, res, 401, 124)
		if e := res.errBody(t); e.Message != "Access token is expired." {
			t.Errorf("message %q", e.Message)
		}
		if r := get(t, s, token(t, s), "/users"); r.status != 200 {
			t.Fatalf("new token after ExpireTokens: %d", r.status)
		}
	})
	t.Run("FaultExpireToken", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, demo(), WithFault(Fault{Path: "/users", After: 1, Kind: FaultExpireToken}))
		tok := token(t, s)
		if r := get(t, s, tok, "/users"); r.status != 200 {
			t.Fatalf("first: %d", r.status)
		}
		wantErr(t, get(t, s, tok, "/users"), 401, 124)
		wantErr(t, get(t, s, tok, "/users"), 401, 124) // the token stays expired
		if r := get(t, s, token(t, s), "/users"); r.status != 200 {
			t.Fatalf("new token: %d", r.status)
		}
	})
}

// walk pages through a list endpoint and returns the items' raw JSON and the total_records seen.
func walk(t *testing.T, s *Server, tok, path, items string) ([]json.RawMessage, int) {
	t.Helper()
	var all []json.RawMessage
	next, total, pages := "", -1, 0
	for {
		q := path
		if next != "" {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			q += sep + "next_page_token=" + url.QueryEscape(next)
		}
		res := get(t, s, tok, q)
		page := decode[map[string]json.RawMessage](t, res)
		var env pageParams
		if err := json.Unmarshal(res.body, &env); err != nil {
			t.Fatal(err)
		}
		if _, ok := page["next_page_token"]; !ok {
			t.Fatalf("page without next_page_token key: %s", res.body)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(page[items], &list); err != nil {
			t.Fatal(err)
		}
		all = append(all, list...)
		if total >= 0 && env.TotalRecords != total {
			t.Fatalf("total_records changed from %d to %d", total, env.TotalRecords)
		}
		total = env.TotalRecords
		pages++
		if want := (total + env.PageSize - 1) / env.PageSize; env.PageCount != want {
			t.Fatalf("page_count %d, want %d", env.PageCount, want)
		}
		if env.NextPageToken == "" {
			if pages != env.PageCount && total > 0 {
				t.Fatalf("walked %d pages, page_count %d", pages, env.PageCount)
			}
			return all, total
		}
		next = env.NextPageToken
	}
}

func TestServer_Pagination(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	w := find(t, acct, "big", func(w *Webinar) bool { return len(w.Registrants) > 300 })
	for _, status := range []string{"approved", "pending", "denied"} {
		want := 0
		for _, r := range w.Registrants {
			if r.Status == status {
				want++
			}
		}
		items, total := walk(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?status=%s&page_size=37", w.ID, status), "registrants")
		if len(items) != want || total != want {
			t.Errorf("%s: walked %d registrants, total_records %d, want %d", status, len(items), total, want)
		}
		ids := map[string]bool{}
		for _, it := range items {
			var r registrantJSON
			json.Unmarshal(it, &r)
			if ids[r.ID] || r.Status != status {
				t.Errorf("duplicate or wrong-status registrant %s %s", r.ID, r.Status)
			}
			ids[r.ID] = true
		}
	}

	t.Run("default and clamped page_size", func(t *testing.T) {
		env := decode[pageParams](t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants", w.ID)))
		if env.PageSize != 30 || env.NextPageToken == "" {
			t.Errorf("default page: %+v", env)
		}
		env = decode[pageParams](t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?page_size=1000", w.ID)))
		if env.PageSize != 300 {
			t.Errorf("page_size 1000 echoed as %d, want 300", env.PageSize)
		}
		wantErr(t, get(t, s, tok, "/users?page_size=abc"), 400, 300)
	})

	t.Run("token bound to filters", func(t *testing.T) {
		env := decode[pageParams](t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?page_size=10", w.ID)))
		wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?status=denied&next_page_token=%s", w.ID, env.NextPageToken)), 400, 300)
		wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?next_page_token=bogus", w.ID)), 400, 300)
		// The same token may be replayed (a retried page).
		for range 2 {
			if r := get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?next_page_token=%s", w.ID, env.NextPageToken)); r.status != 200 {
				t.Fatalf("replayed token: %d %s", r.status, r.body)
			}
		}
	})

	t.Run("participants", func(t *testing.T) {
		in := w.Instances[len(w.Instances)-1]
		items, total := walk(t, s, tok, "/report/webinars/"+doubleEscape(in.UUID)+"/participants?page_size=50", "participants")
		if len(items) != len(in.Participants) || total != len(in.Participants) {
			t.Errorf("walked %d rows, total %d, want %d", len(items), total, len(in.Participants))
		}
	})
}

func TestServer_PageTokenExpiry(t *testing.T) {
	t.Parallel()
	s := startServer(t, demo(), WithPageTokenTTL(time.Nanosecond))
	tok := token(t, s)
	env := decode[pageParams](t, get(t, s, tok, "/users?page_size=1"))
	if env.NextPageToken == "" {
		t.Fatal("no next page")
	}
	res := get(t, s, tok, "/users?page_size=1&next_page_token="+env.NextPageToken)
	wantErr(t, res, 400, 300)
	if e := res.errBody(t); e.Message != "The next page token is invalid or expired." {
		t.Errorf("message %q", e.Message)
	}
}

func TestServer_RateLimitFaults(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct,
		WithFault(Fault{Path: "/users", After: 1, Times: 2, Kind: FaultQPS429}),
		WithFault(Fault{Path: "/participants", Kind: FaultDaily429}))
	tok := token(t, s)
	wantStatus := []int{200, 429, 429, 200}
	for i, want := range wantStatus {
		res := get(t, s, tok, "/users")
		if res.status != want {
			t.Fatalf("request %d: status %d, want %d", i, res.status, want)
		}
		if want != 429 {
			continue
		}
		wantErr(t, res, 429, 429)
		h := res.header
		if h.Get("X-RateLimit-Category") != "Medium" || h.Get("X-RateLimit-Type") != "QPS" ||
			h.Get("X-RateLimit-Limit") != "20" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("Retry-After") != "" {
			t.Errorf("QPS 429 headers %v", h)
		}
		if e := res.errBody(t); e.Message != "You have reached the maximum per-second rate limit for this API. Try again later." {
			t.Errorf("message %q", e.Message)
		}
	}

	w := find(t, acct, "held", func(w *Webinar) bool { return len(w.Instances) > 0 && !w.Expired })
	res := get(t, s, tok, fmt.Sprintf("/report/webinars/%d/participants", w.ID))
	wantErr(t, res, 429, 429)
	h := res.header
	if h.Get("X-RateLimit-Category") != "Heavy" || h.Get("X-RateLimit-Type") != "Daily-limit" ||
		h.Get("X-RateLimit-Limit") != "30000" || h.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("daily 429 headers %v", h)
	}
	ra, err := time.Parse(time.RFC3339, h.Get("Retry-After"))
	if err != nil || !ra.After(time.Now()) || ra.Hour() != 0 || ra.Minute() != 0 {
		t.Errorf("Retry-After %q (%v): want the next 00:00 UTC", h.Get("Retry-After"), err)
	}
	if e := res.errBody(t); !strings.HasPrefix(e.Message, "You have reached the maximum daily rate limit for this API.") {
		t.Errorf("message %q", e.Message)
	}
	if r := get(t, s, tok, fmt.Sprintf("/report/webinars/%d/participants", w.ID)); r.status != 200 {
		t.Errorf("after the fault: %d", r.status)
	} else if r.header.Get("X-RateLimit-Remaining") != "29999" {
		t.Errorf("daily remaining after one Heavy call: %q", r.header.Get("X-RateLimit-Remaining"))
	}

	st := s.Stats()
	if st.ByStatus[429] != 3 || st.ByRoute["GET /users"] != 4 || st.ByLabel[Heavy] != 2 || st.ByRoute["POST /oauth/token"] != 1 {
		t.Errorf("stats %+v", st)
	}
	s.ResetStats()
	if st := s.Stats(); st.Total != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}

func TestServer_RateLimiter(t *testing.T) {
	t.Parallel()
	acct := demo()
	w := find(t, acct, "any", func(w *Webinar) bool { return !w.Expired })
	// Pro Light allows 30 per second: 90 concurrent requests cannot all pass.
	s := startServer(t, acct)
	tok := token(t, s)
	const n = 90
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	var bad []string
	for range n {
		wg.Go(func() {
			res := get(t, s, tok, fmt.Sprintf("/webinars/%d", w.ID))
			mu.Lock()
			defer mu.Unlock()
			codes[res.status]++
			if res.status == 429 && (res.header.Get("X-RateLimit-Type") != "QPS" || res.header.Get("X-RateLimit-Category") != "Light" ||
				res.header.Get("X-RateLimit-Limit") != "30") {
				bad = append(bad, fmt.Sprint(res.header))
			}
		})
	}
	wg.Wait()
	if codes[429] == 0 || codes[200] < 30 || codes[200]+codes[429] != n {
		t.Errorf("status counts %v: want ≥30 successes and some 429s", codes)
	}
	if len(bad) > 0 {
		t.Errorf("429 headers: %v", bad[0])
	}
	if st := s.Stats(); st.ByStatus[429] != codes[429] || st.ByLabel[Light] != n {
		t.Errorf("stats %+v vs %v", st, codes)
	}

	// Unlimited: never 429.
	u := startServer(t, acct, WithPlan("unlimited"))
	utok := token(t, u)
	for range 40 {
		if r := get(t, u, utok, fmt.Sprintf("/webinars/%d", w.ID)); r.status != 200 {
			t.Fatalf("unlimited plan: %d %s", r.status, r.body)
		}
	}
}

func TestLimiter_daily(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	l := newLimiter("pro")
	l.daily[Heavy].roll(now)
	l.daily[Heavy].used = 29999
	rec := func() http.ResponseWriter { return &headerRecorder{h: http.Header{}} }
	if !l.allow(rec(), ResourceIntensive, now) {
		t.Fatal("last daily request refused")
	}
	w := rec().(*headerRecorder)
	if l.allow(w, Heavy, now.Add(time.Minute)) {
		t.Fatal("Heavy allowed after Resource-intensive used the shared daily pool")
	}
	if w.code != 429 || w.h.Get("X-RateLimit-Type") != "Daily-limit" || w.h.Get("Retry-After") != "2026-05-02T00:00:00Z" {
		t.Errorf("429 %d headers %v", w.code, w.h)
	}
	if !l.allow(rec(), Heavy, now.Add(14*time.Hour)) {
		t.Error("daily pool not reset at 00:00 UTC")
	}
	if l.allow(rec(), Light, now) != true || l.daily[Light] != nil {
		t.Error("Pro Light has no daily pool")
	}
}

type headerRecorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) WriteHeader(code int)        { r.code = code }
func (r *headerRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func TestServer_UUIDEncoding(t *testing.T) {
	t.Parallel()
	acct := demo()
	var slashStart, doubleSlash, plain *Instance
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			switch {
			case in.StartTime.Before(acct.Now.AddDate(-1, 0, 0)):
			case strings.HasPrefix(in.UUID, "/") && slashStart == nil:
				slashStart = in
			case strings.Contains(in.UUID, "//") && doubleSlash == nil:
				doubleSlash = in
			case !strings.Contains(in.UUID, "/") && plain == nil:
				plain = in
			}
		}
	}
	if slashStart == nil || doubleSlash == nil || plain == nil {
		t.Fatal("account lacks the uuids this test needs")
	}
	strict := startServer(t, acct, WithPlan("unlimited"))
	lax := startServer(t, acct, WithStrictUUID(false), WithPlan("unlimited"))
	tests := []struct {
		name       string
		in         *Instance
		seg        string
		wantStrict int
		wantLax    int
	}{
		{"leading slash, double QueryEscape", slashStart, doubleEscape(slashStart.UUID), 200, 200},
		{"leading slash, double PathEscape", slashStart, url.PathEscape(url.PathEscape(slashStart.UUID)), 200, 200},
		{"leading slash, single", slashStart, url.QueryEscape(slashStart.UUID), 404, 200},
		{"double slash, double", doubleSlash, doubleEscape(doubleSlash.UUID), 200, 200},
		{"double slash, single", doubleSlash, url.QueryEscape(doubleSlash.UUID), 404, 200},
		{"plain, single", plain, url.QueryEscape(plain.UUID), 200, 200},
		{"plain, double", plain, doubleEscape(plain.UUID), 200, 200},
		{"unknown", plain, doubleEscape("AAAAAAAAAAAAAAAAAAAAAA=="), 404, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				s    *Server
				want int
			}{{strict, tc.wantStrict}, {lax, tc.wantLax}} {
				tok := token(t, c.s)
				for _, suffix := range []string{"", "/participants"} {
					res := get(t, c.s, tok, "/report/webinars/"+tc.seg+suffix)
					if res.status != c.want {
						t.Fatalf("%s%s: status %d, want %d: %s", tc.seg, suffix, res.status, c.want, res.body)
					}
					if c.want == 404 {
						wantErr(t, res, 404, 3001)
					} else if suffix == "" {
						if got := decode[reportJSON](t, res); got.UUID != tc.in.UUID {
							t.Fatalf("report uuid %q, want %q", got.UUID, tc.in.UUID)
						}
					}
				}
			}
		})
	}
}

func TestServer_Reports(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	yearAgo := acct.Now.AddDate(-1, 0, 0)

	old := find(t, acct, "older than a year", func(w *Webinar) bool {
		return len(w.Instances) > 0 && w.Instances[0].StartTime.Before(yearAgo)
	})
	wantErr(t, get(t, s, tok, fmt.Sprintf("/report/webinars/%d", old.ID)), 400, 12702)
	wantErr(t, get(t, s, tok, "/report/webinars/"+doubleEscape(old.Instances[0].UUID)+"/participants"), 400, 12702)
	if got := decode[instancesJSON](t, get(t, s, tok, fmt.Sprintf("/past_webinars/%d/instances", old.ID))); len(got.Webinars) != 1 {
		t.Errorf("instances of the old webinar: %+v", got)
	}

	expired := find(t, acct, "expired", func(w *Webinar) bool {
		return w.Expired && len(w.Instances) > 0 && w.Instances[0].StartTime.After(yearAgo)
	})
	wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d", expired.ID)), 404, 3001)
	rep := decode[reportJSON](t, get(t, s, tok, fmt.Sprintf("/report/webinars/%d", expired.ID)))
	if rep.ID != expired.ID || rep.UUID != expired.Instances[0].UUID {
		t.Errorf("report of the expired webinar: %+v", rep)
	}

	series := find(t, acct, "type 9", func(w *Webinar) bool { return w.Type == 9 && len(w.Instances) >= 5 })
	inst := decode[instancesJSON](t, get(t, s, tok, fmt.Sprintf("/past_webinars/%d/instances", series.ID)))
	if len(inst.Webinars) != len(series.Instances) {
		t.Fatalf("%d instances, want %d", len(inst.Webinars), len(series.Instances))
	}
	latest := series.Instances[len(series.Instances)-1]
	rep = decode[reportJSON](t, get(t, s, tok, fmt.Sprintf("/report/webinars/%d", series.ID)))
	if rep.UUID != latest.UUID || rep.StartTime != zt(latest.StartTime) || rep.EndTime != zt(latest.EndTime) {
		t.Errorf("report by id is not the latest instance: %+v", rep)
	}
	first := decode[reportJSON](t, get(t, s, tok, "/report/webinars/"+doubleEscape(series.Instances[0].UUID)))
	if first.UUID != series.Instances[0].UUID {
		t.Errorf("report by uuid: %+v", first)
	}

	upcoming := find(t, acct, "upcoming", func(w *Webinar) bool { return w.StartTime.After(acct.Now) })
	wantErr(t, get(t, s, tok, fmt.Sprintf("/report/webinars/%d", upcoming.ID)), 404, 3001)
	if got := decode[instancesJSON](t, get(t, s, tok, fmt.Sprintf("/past_webinars/%d/instances", upcoming.ID))); len(got.Webinars) != 0 {
		t.Errorf("instances of the upcoming webinar: %+v", got)
	}
	wantErr(t, get(t, s, tok, "/report/webinars/99999999999"), 404, 3001)
}

func TestServer_RegistrantIDField(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	w := find(t, acct, "registration", func(w *Webinar) bool {
		return w.ApprovalType != 2 && len(w.Instances) > 0 && !w.Expired
	})
	in := w.Instances[len(w.Instances)-1]
	path := "/report/webinars/" + doubleEscape(in.UUID) + "/participants?page_size=300"
	without := get(t, s, tok, path)
	if bytes.Contains(without.body, []byte(`"registrant_id"`)) {
		t.Error("registrant_id present without include_fields")
	}
	with := decode[participantsPage](t, get(t, s, tok, path+"&include_fields=registrant_id"))
	regs := map[string]bool{}
	for _, r := range w.Registrants {
		regs[r.ID] = true
	}
	matched := 0
	for _, p := range with.Participants {
		if p.RegistrantID == nil {
			t.Fatalf("row %s without registrant_id", p.UserID)
		}
		if *p.RegistrantID != "" {
			if !regs[*p.RegistrantID] {
				t.Errorf("row %s: unknown registrant %s", p.UserID, *p.RegistrantID)
			}
			matched++
		}
	}
	if matched == 0 {
		t.Error("no row carries a registrant_id")
	}
}

func TestServer_Routes(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	var host, basic, pending *User
	for _, u := range acct.Users {
		switch {
		case u.Status == "pending":
			pending = u
		case u.Type == 2 && host == nil:
			host = u
		case u.Type == 1:
			basic = u
		}
	}

	t.Run("unknown paths", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL+"/v1/users", nil)
		res := do(t, req)
		if res.status != 500 || !strings.Contains(string(res.body), "no route in test fixture: /v1/users") {
			t.Errorf("outside /v2: %d %s", res.status, res.body)
		}
		wantErr(t, get(t, s, tok, "/webinar/123"), 404, 404)
	})

	t.Run("users", func(t *testing.T) {
		active := decode[usersPage](t, get(t, s, tok, "/users"))
		if active.TotalRecords != len(acct.Users)-1 {
			t.Errorf("%d active users, want %d", active.TotalRecords, len(acct.Users)-1)
		}
		pend := get(t, s, tok, "/users?status=pending")
		if p := decode[usersPage](t, pend); len(p.Users) != 1 || p.Users[0].Email != pending.Email {
			t.Errorf("pending users %+v", p)
		}
		if bytes.Contains(pend.body, []byte(`"id"`)) {
			t.Errorf("pending user with an id: %s", pend.body)
		}
		wantErr(t, get(t, s, tok, "/users?status=bogus"), 400, 300)
	})

	t.Run("user webinars", func(t *testing.T) {
		byID := decode[webinarsPage](t, get(t, s, tok, "/users/"+host.ID+"/webinars?page_size=300"))
		byEmail := decode[webinarsPage](t, get(t, s, tok, "/users/"+url.PathEscape(strings.ToUpper(host.Email))+"/webinars?page_size=300"))
		want := 0
		for _, w := range acct.Webinars {
			if w.HostID == host.ID && !w.Expired {
				want++
			}
		}
		if byID.TotalRecords != want || byEmail.TotalRecords != want || len(byID.Webinars) != want {
			t.Errorf("webinars by id %d, by email %d, want %d", byID.TotalRecords, byEmail.TotalRecords, want)
		}
		for _, w := range byID.Webinars {
			if len([]rune(w.Agenda)) > 250 {
				t.Errorf("agenda of %d not truncated: %d runes", w.ID, len([]rune(w.Agenda)))
			}
		}
		var upcoming int
		for _, u := range acct.Users {
			if u.Type != 2 {
				continue
			}
			p := decode[webinarsPage](t, get(t, s, tok, "/users/"+u.ID+"/webinars?type=upcoming"))
			for _, w := range p.Webinars {
				if st, _ := time.Parse(time.RFC3339, w.StartTime); !st.After(acct.Now) {
					t.Errorf("upcoming list holds %d starting %s", w.ID, w.StartTime)
				}
			}
			upcoming += p.TotalRecords
		}
		if upcoming == 0 {
			t.Error("no upcoming webinar listed")
		}
		wantErr(t, get(t, s, tok, "/users/nobody@example.com/webinars"), 404, 1001)
		wantErr(t, get(t, s, tok, "/users/"+url.PathEscape(pending.Email)+"/webinars"), 404, 1001)
		wantErr(t, get(t, s, tok, "/users/"+basic.ID+"/webinars"), 400, 200)
		wantErr(t, get(t, s, tok, "/users/"+host.ID+"/webinars?type=past"), 400, 300)
	})

	t.Run("webinar", func(t *testing.T) {
		series := find(t, acct, "type 9", func(w *Webinar) bool { return w.Type == 9 })
		got := decode[webinarJSON](t, get(t, s, tok, fmt.Sprintf("/webinars/%d", series.ID)))
		if got.ID != series.ID || got.HostEmail != series.HostEmail || len(got.Occurrences) != len(series.Occurrences) ||
			got.Recurrence == nil || got.Settings.ApprovalType != series.ApprovalType {
			t.Errorf("webinar %+v", got)
		}
		byUUID := decode[webinarJSON](t, get(t, s, tok, "/webinars/"+doubleEscape(series.Instances[0].UUID)))
		if byUUID.ID != series.ID {
			t.Errorf("by instance uuid: %d", byUUID.ID)
		}
		wantErr(t, get(t, s, tok, "/webinars/12345678901"), 404, 3001)
		sim := find(t, acct, "simulive", func(w *Webinar) bool { return w.IsSimulive })
		if got := decode[webinarJSON](t, get(t, s, tok, fmt.Sprintf("/webinars/%d", sim.ID))); !got.IsSimulive || got.RecordFileID == "" {
			t.Errorf("simulive %+v", got)
		}
	})

	t.Run("registrants", func(t *testing.T) {
		noreg := find(t, acct, "no registration", func(w *Webinar) bool { return w.ApprovalType == 2 })
		wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants", noreg.ID)), 400, 3000)
		w := find(t, acct, "registration", func(w *Webinar) bool { return w.ApprovalType == 1 && !w.Expired })
		wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?status=cancelled", w.ID)), 400, 300)
		p := decode[registrantsPage](t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants?page_size=300", w.ID)))
		for _, r := range p.Registrants {
			if r.Status != "approved" {
				t.Fatalf("default status filter returned %s", r.Status)
			}
		}
	})

	t.Run("numeric id stays a number", func(t *testing.T) {
		w := find(t, acct, "listed", func(w *Webinar) bool { return !w.Expired })
		res := get(t, s, tok, fmt.Sprintf("/webinars/%d", w.ID))
		if !bytes.Contains(res.body, []byte(`"id":`+strconv.FormatInt(w.ID, 10)+`,`)) {
			t.Errorf("id not a JSON number: %.200s", res.body)
		}
	})
}

func TestServer_Faults(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct,
		WithFault(Fault{Path: "/users", Kind: Fault5xx, Times: 2}),
		WithFault(Fault{Path: "/users", After: 2, Kind: FaultMalformed}),
		WithFault(Fault{Path: "/users", After: 3, Kind: FaultReset}),
		WithFault(Fault{Path: "/users", After: 4, Kind: FaultLatency, Latency: 20 * time.Millisecond}),
	)
	tok := token(t, s)
	for range 2 {
		wantErr(t, get(t, s, tok, "/users"), 503, 503)
	}
	mal := get(t, s, tok, "/users")
	if mal.status != 200 || json.Valid(mal.body) {
		t.Errorf("malformed: %d %s", mal.status, mal.body)
	}
	// A fresh connection, so that the transport does not replay the GET on a new one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(newGet(t, s, tok, "/users")); err == nil {
		resp.Body.Close()
		t.Error("reset: no error")
	}
	if r := get(t, s, tok, "/users"); r.status != 200 { // latency, then normal
		t.Errorf("latency: %d", r.status)
	}
	if r := get(t, s, tok, "/users"); r.status != 200 {
		t.Errorf("after faults: %d", r.status)
	}
	s.AddFault(Fault{Kind: Fault5xx, Status: 502})
	wantErr(t, get(t, s, tok, "/webinars/1"), 502, 502)
	if st := s.Stats(); st.ByStatus[0] != 1 || st.ByStatus[503] != 2 || st.ByStatus[502] != 1 {
		t.Errorf("stats %+v", st)
	}

	// A token-endpoint fault needs a Path starting with /oauth.
	o := startServer(t, acct, WithFault(Fault{Path: "/oauth", Kind: Fault5xx, Status: 500}))
	req, _ := http.NewRequestWithContext(t.Context(), "POST", o.OAuthURL()+"?grant_type=account_credentials&account_id=demo-account", nil)
	req.SetBasicAuth("demo-client", "demo-secret")
	if r := do(t, req); r.status != 500 {
		t.Errorf("token fault: %d", r.status)
	}
	token(t, o)
}

func TestListen(t *testing.T) {
	t.Parallel()
	s, err := Listen("127.0.0.1:0", demo())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.APIURL(), "http://127.0.0.1:") || !strings.HasSuffix(s.APIURL(), "/v2") {
		t.Errorf("APIURL %q", s.APIURL())
	}
	get(t, s, token(t, s), "/users")
	if _, err := Listen(strings.TrimPrefix(s.URL, "http://"), demo()); err == nil {
		t.Error("second Listen on the same address succeeded")
	}
}

// TestServer_WaitStalled waits on the server, never on the clock: the test learns that its
// request hangs from WaitStalled, that it is over from WaitIdle, and Close releases a stall.
func TestServer_WaitStalled(t *testing.T) {
	t.Parallel()
	s := startServer(t, demo(), WithFault(Fault{Path: "/users", Kind: FaultLatency, Latency: time.Hour, Times: 2}))
	tok := token(t, s)

	t.Run("client gives up", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", s.APIURL()+"/users", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			_, err := http.DefaultClient.Do(req)
			done <- err
		}()
		if err := s.WaitStalled(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := <-done; err == nil {
			t.Fatal("stalled request answered")
		}
		if err := s.WaitIdle(t.Context()); err != nil {
			t.Fatal(err)
		}
		if st := s.Stats(); st.ByRoute["GET /users"] != 1 {
			t.Errorf("stats after the stall %+v", st)
		}
	})

	t.Run("Close releases the stall", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			_, err := http.DefaultClient.Do(newGet(t, s, tok, "/users"))
			done <- err
		}()
		if err := s.WaitStalled(t.Context(), 2); err != nil {
			t.Fatal(err)
		}
		s.Close() // returns once the stalled handler has
		if err := <-done; err == nil {
			t.Error("request stalled past Close answered")
		}
		if st := s.Stats(); st.ByRoute["GET /users"] != 2 {
			t.Errorf("stats after Close %+v", st)
		}
	})

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.WaitStalled(ctx, 3); err != context.Canceled {
		t.Errorf("WaitStalled with a done context: %v", err)
	}
}

// TestServer_RoutingEdges pins what ServeMux must not change: paths it would clean or
// redirect (the client would follow a redirect to a 200), methods a pattern does not name,
// and literal segments spelt escaped are unknown routes (404 under /v2 after
// authentication, 500 outside).
func TestServer_RoutingEdges(t *testing.T) {
	t.Parallel()
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	w := find(t, acct, "listed", func(w *Webinar) bool { return !w.Expired })
	for _, tc := range []struct {
		method, path string
		auth         bool
		wantStatus   int
		wantCode     int // 0: plain-text body
	}{
		{"GET", "/v2", true, 404, 404},
		{"GET", "/v2/", true, 404, 404},
		{"GET", "/v2/users/", true, 404, 404},
		{"GET", "/v2//users", true, 404, 404},
		{"GET", "/v2/./users", true, 404, 404},
		{"GET", "/v2/%75sers", true, 404, 404},
		{"GET", "/v2/report/webinars//participants", true, 404, 404},
		{"GET", "/v2/nowhere", false, 401, 124},
		{"HEAD", "/v2/users", true, 404, 0}, // a HEAD answer has no body to decode
		{"POST", "/v2/users", true, 404, 404},
		{"DELETE", fmt.Sprintf("/v2/webinars/%d", w.ID), true, 404, 404},
		{"GET", "/rec/download", false, 500, 0},
		{"GET", "/v1/users", true, 500, 0},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, s.URL+tc.path, nil)
			if tc.auth {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			req.URL.RawPath = tc.path // keep the spelling as sent
			res := do(t, req)
			if res.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.status, tc.wantStatus, res.body)
			}
			if tc.wantCode != 0 {
				wantErr(t, res, tc.wantStatus, tc.wantCode)
			}
		})
	}
}
