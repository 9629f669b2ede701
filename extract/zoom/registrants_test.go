package zoom

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// setupRegistration is setup over a fresh demo account (registering changes
// it) and its two upcoming webinars: open (first/last/email suffice) and
// strict (requires org and a custom question).
func setupRegistration(t *testing.T, simOpts ...zoomtest.Option) (f *fixture, open, strict *zoomtest.Webinar) {
	t.Helper()
	acct := zoomtest.DemoAccount(7)
	srv := zoomtest.NewServer(acct, append([]zoomtest.Option{zoomtest.WithPlan("unlimited")}, simOpts...)...)
	t.Cleanup(srv.Close)
	f = setup(t, nil, WithBaseURL(srv.APIURL()), WithOAuthURL(srv.OAuthURL()))
	f.srv, f.acct = srv, acct
	for _, w := range acct.Webinars {
		if w.StartTime.After(acct.Now) {
			if w.CustomQuestions != nil {
				strict = w
			} else {
				open = w
			}
		}
	}
	return f, open, strict
}

func TestWebinarsService_ListRegistrantQuestions(t *testing.T) {
	t.Parallel()
	f, open, strict := setupRegistration(t)
	q, _, err := f.client.Webinars.ListRegistrantQuestions(t.Context(), strict.ID)
	if err != nil {
		t.Fatal(err)
	}
	var required []string
	for _, x := range q.Questions {
		if x.Required {
			required = append(required, x.FieldName)
		}
	}
	for _, x := range q.CustomQuestions {
		if x.Required {
			required = append(required, x.Title)
		}
	}
	if got := strings.Join(required, ","); got != "last_name,org,Company size?" {
		t.Errorf("required: %s", got)
	}
	if _, _, err := f.client.Webinars.ListRegistrantQuestions(t.Context(), open.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.client.Webinars.ListRegistrantQuestions(t.Context(), 99999999999); !errors.Is(err, ErrWebinarNotFound) {
		t.Errorf("unknown webinar: %v", err)
	}
}

func TestWebinarsService_AddRegistrant(t *testing.T) {
	t.Parallel()
	f, open, strict := setupRegistration(t)
	ctx := t.Context()
	c1, resp, err := f.client.Webinars.AddRegistrant(ctx, open.ID, &RegistrantRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || c1.ID != open.ID || c1.RegistrantID == "" || c1.StartTime.IsZero() {
		t.Errorf("created %+v (status %d)", c1, resp.StatusCode)
	}
	c2, _, err := f.client.Webinars.AddRegistrant(ctx, open.ID, &RegistrantRequest{Email: "ADA@example.com", FirstName: "Ada", LastName: "Lovelace"})
	if err != nil || c2.RegistrantID != c1.RegistrantID {
		t.Errorf("second registration: %+v, %v; want registrant %s", c2, err, c1.RegistrantID)
	}

	var past, noreg *zoomtest.Webinar
	for _, w := range f.acct.Webinars {
		switch {
		case w.ApprovalType == 2:
			noreg = w
		case !w.Expired && w.Type == 5 && w.StartTime.Before(f.acct.Now):
			past = w
		}
	}
	tests := []struct {
		name    string
		webinar int64
		req     RegistrantRequest
		want    error
	}{
		{"host", open.ID, RegistrantRequest{Email: open.HostEmail, FirstName: "H", LastName: "H"}, ErrHostCannotRegister},
		{"over", past.ID, RegistrantRequest{Email: "b@example.com", FirstName: "B", LastName: "B"}, ErrWebinarOver},
		{"no registration", noreg.ID, RegistrantRequest{Email: "c@example.com", FirstName: "C", LastName: "C"}, ErrNoRegistration},
		{"required question", strict.ID, RegistrantRequest{Email: "d@example.com", FirstName: "D", LastName: "D"}, ErrValidation},
		{"unknown", 99999999999, RegistrantRequest{Email: "e@example.com", FirstName: "E", LastName: "E"}, ErrWebinarNotFound},
	}
	for _, tc := range tests {
		_, _, err := f.client.Webinars.AddRegistrant(ctx, tc.webinar, &tc.req)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		var ae *APIError
		if tc.name == "required question" && (!errors.As(err, &ae) || len(ae.Errors) == 0 || ae.Errors[0].Field != "org") {
			t.Errorf("required question: field errors %+v", ae)
		}
	}
	if f.retries.Load() != 0 {
		t.Errorf("%d retries", f.retries.Load())
	}
}

// TestWebinarsService_AddRegistrant_dailyCap: the per-registrant 429 is its
// own error, is not retried, and stops neither other registrants nor other
// Light calls.
func TestWebinarsService_AddRegistrant_dailyCap(t *testing.T) {
	t.Parallel()
	f, open, _ := setupRegistration(t, zoomtest.WithRegistrantDailyCap(1))
	ctx := t.Context()
	req := &RegistrantRequest{Email: "cap@example.com", FirstName: "C", LastName: "C"}
	if _, _, err := f.client.Webinars.AddRegistrant(ctx, open.ID, req); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.client.Webinars.AddRegistrant(ctx, open.ID, req)
	var le *RegistrantLimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrRegistrantDailyCap) || errors.Is(err, ErrDailyLimit) || errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v (%T), want a *RegistrantLimitError only", err, err)
	}
	if le.Limit != 1 || !le.Reset.After(time.Now()) {
		t.Errorf("limit %d reset %v", le.Limit, le.Reset)
	}
	if _, _, err := f.client.Webinars.AddRegistrant(ctx, open.ID, &RegistrantRequest{Email: "next@example.com", FirstName: "N", LastName: "N"}); err != nil {
		t.Errorf("next registrant: %v", err)
	}
	if _, _, err := f.client.Webinars.Get(ctx, open.ID); err != nil {
		t.Errorf("Light call after the cap: %v", err)
	}
	if f.retries.Load() != 0 {
		t.Errorf("%d retries of a per-registrant 429", f.retries.Load())
	}
}

// TestClient_registrantCapWithDailyHeader: even when Zoom labels the
// per-registrant 429 Daily-limit, the Light category is not stopped.
func TestClient_registrantCapWithDailyHeader(t *testing.T) {
	t.Parallel()
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth/token" {
			w.Write([]byte(`{"access_token":"t","token_type":"bearer","expires_in":3600}`))
			return
		}
		calls++
		if r.Method == "POST" {
			w.Header().Set("X-RateLimit-Category", "Light")
			w.Header().Set("X-RateLimit-Type", "Daily-limit")
			w.Header().Set("X-RateLimit-Limit", "6000")
			w.Header().Set("X-RateLimit-Remaining", "5893")
			w.WriteHeader(429)
			w.Write([]byte(`{"code":429,"message":"You have exceeded the daily rate limit of \"3\" for Add a webinar registrant API requests for the registrant \"a@b.com\". You can resume these API requests at GMT 00:00:00."}`))
			return
		}
		w.Write([]byte(`{"id":"123","topic":"x"}`))
	}))
	t.Cleanup(srv.Close)
	c := NewClient(WithBaseURL(srv.URL+"/v2"), WithOAuthURL(srv.URL+"/oauth/token"),
		WithCredentials("a", "b", "c"), WithPlan("unlimited"), WithRetry(3, time.Millisecond, time.Millisecond))
	_, _, err := c.Webinars.AddRegistrant(t.Context(), 123, &RegistrantRequest{Email: "a@b.com", FirstName: "A"})
	if !errors.Is(err, ErrRegistrantDailyCap) {
		t.Fatalf("err = %v", err)
	}
	w, _, err := c.Webinars.Get(t.Context(), 123)
	if err != nil || w.ID != 123 {
		t.Fatalf("Light call after a per-registrant 429: %v", err)
	}
	if calls != 2 {
		t.Errorf("%d API calls, want 2 (no retry)", calls)
	}
}

func TestRegistrantCreated_UnmarshalJSON_stringID(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"id":97871060099,"registrant_id":"r"}`, `{"id":"97871060099","registrant_id":"r","start_time":""}`} {
		var c RegistrantCreated
		if err := json.Unmarshal([]byte(in), &c); err != nil || c.ID != 97871060099 || c.RegistrantID != "r" {
			t.Errorf("%s → %+v, %v", in, c, err)
		}
	}
}
