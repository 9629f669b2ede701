package zoomtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func newPost(t *testing.T, s *Server, tok, path string, body any) *http.Request {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), "POST", s.APIURL()+path, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	return req
}

type regBody map[string]any

func regPerson(email string) regBody {
	return regBody{"email": email, "first_name": "Ada", "last_name": "Lovelace"}
}

// regAccount is a fresh demo account (POST changes it) and its upcoming webinars: open
// (first/last/email suffice, manual approval) and strict (requires org and a custom question).
func regAccount(t *testing.T) (acct *Account, open, strict *Webinar) {
	t.Helper()
	acct = DemoAccount(1)
	events := acct.EventWebinarIDs()
	for _, w := range acct.Webinars {
		if w.StartTime.After(acct.Now) && !events[w.ID] {
			if w.CustomQuestions != nil {
				strict = w
			} else {
				open = w
			}
		}
	}
	if open == nil || strict == nil {
		t.Fatalf("demo account lacks its two upcoming webinars")
	}
	return acct, open, strict
}

func TestGenerate_registrationQuestions(t *testing.T) {
	t.Parallel()
	a, open, strict := regAccount(t)
	if open.ApprovalType != 1 || strict.ApprovalType != 0 || len(strict.Registrants) != 0 {
		t.Errorf("approval types %d, %d, strict registrants %d", open.ApprovalType, strict.ApprovalType, len(strict.Registrants))
	}
	for _, q := range open.Questions {
		if q.Required && q.FieldName != "last_name" {
			t.Errorf("open webinar requires %s", q.FieldName)
		}
	}
	if n := len(a.Webinars) - len(a.EventWebinarIDs()); n != 17 {
		t.Errorf("%d webinars besides those of Zoom Events, want 17", n)
	}
	b := DemoAccount(1)
	enc := func(w *Webinar) string {
		j, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		return string(j)
	}
	if got, want := enc(b.Webinars[15]), enc(strict); got != want {
		t.Errorf("not deterministic:\n%s\n%s", got, want)
	}
}

func TestServer_RegistrantQuestions(t *testing.T) {
	t.Parallel()
	acct, open, strict := regAccount(t)
	s := startServer(t, acct)
	tok := token(t, s)
	got := decode[questionsJSON](t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants/questions", open.ID)))
	if len(got.Questions) != 3 || got.Questions[0] != (questionJSON{"last_name", true}) {
		t.Errorf("open questions: %+v", got)
	}
	for _, q := range got.CustomQuestions {
		if q.Required {
			t.Errorf("open webinar requires custom question %q", q.Title)
		}
	}
	got = decode[questionsJSON](t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants/questions", strict.ID)))
	if len(got.CustomQuestions) != 2 || !got.CustomQuestions[0].Required || got.CustomQuestions[0].Type != "single_dropdown" {
		t.Errorf("strict custom questions: %+v", got.CustomQuestions)
	}
	expired := find(t, acct, "expired", func(w *Webinar) bool { return w.Expired })
	noreg := find(t, acct, "no registration", func(w *Webinar) bool { return w.ApprovalType == 2 })
	wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants/questions", expired.ID)), 404, 3001)
	wantErr(t, get(t, s, tok, "/webinars/99999999999/registrants/questions"), 404, 3001)
	wantErr(t, get(t, s, tok, fmt.Sprintf("/webinars/%d/registrants/questions", noreg.ID)), 400, 3000)
	if n := s.Stats().ByLabel[Light]; n != 5 {
		t.Errorf("Light requests %d, want 5", n)
	}
}

func TestServer_AddRegistrant(t *testing.T) {
	t.Parallel()
	acct, open, strict := regAccount(t)
	past := find(t, acct, "past single", func(w *Webinar) bool {
		return !w.Expired && w.Type == 5 && w.ApprovalType != 2 && w.StartTime.Before(acct.Now)
	})
	noreg := find(t, acct, "no registration", func(w *Webinar) bool { return w.ApprovalType == 2 })
	expired := find(t, acct, "expired", func(w *Webinar) bool { return w.Expired })
	var denied *Registrant
	for _, r := range open.Registrants {
		if r.Status == "denied" && registrantEmail.MatchString(strings.TrimSpace(r.Email)) {
			denied = r
		}
	}
	if denied == nil {
		t.Fatal("no denied registrant on the open webinar")
	}
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	path := func(w *Webinar) string { return fmt.Sprintf("/webinars/%d/registrants", w.ID) }

	// New registrant on a manual-approval webinar: pending, listed, idempotent.
	res := do(t, newPost(t, s, tok, path(open), regPerson("New.Person@Example.com")))
	if res.status != 201 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	c1 := decodeStatus[registrantCreatedJSON](t, res, 201)
	if c1.ID != open.ID || c1.RegistrantID == "" || c1.JoinURL == "" {
		t.Errorf("created: %+v", c1)
	}
	c2 := decodeStatus[registrantCreatedJSON](t, do(t, newPost(t, s, tok, path(open), regPerson(" new.person@example.COM "))), 201)
	if c2.RegistrantID != c1.RegistrantID {
		t.Errorf("re-registering gave %s, want %s", c2.RegistrantID, c1.RegistrantID)
	}
	pending := decode[registrantsPage](t, get(t, s, tok, path(open)+"?status=pending&page_size=300"))
	found := 0
	for _, r := range pending.Registrants {
		if r.ID == c1.RegistrantID {
			found++
		}
	}
	if found != 1 {
		t.Errorf("new registrant listed %d times among pending", found)
	}

	tests := []struct {
		name             string
		w                *Webinar
		body             regBody
		wantStatus, code int
		wantField        string
	}{
		{"host", open, regPerson(strings.ToUpper(open.HostEmail)), 400, 3027, ""},
		{"over", past, regPerson("late@example.com"), 400, 3038, ""},
		{"no registration", noreg, regPerson("x@example.com"), 400, 3000, ""},
		{"expired", expired, regPerson("x@example.com"), 404, 3001, ""},
		{"denied", open, regPerson(strings.TrimSpace(denied.Email)), 400, 3000, ""},
		{"invalid email", open, regPerson("not-an-email"), 400, 300, "email"},
		{"no first name", open, regBody{"email": "a@example.com"}, 400, 300, "first_name"},
		{"required org", strict, regPerson("b@example.com"), 400, 300, "org"},
		{"last name required", open, regBody{"email": "c@example.com", "first_name": "C"}, 400, 300, "last_name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, newPost(t, s, tok, path(tc.w), tc.body))
			wantErr(t, res, tc.wantStatus, tc.code)
			if tc.wantField != "" {
				e := res.errBody(t)
				if len(e.Errors) == 0 || e.Errors[0].Field != tc.wantField {
					t.Errorf("errors %+v, want field %s", e.Errors, tc.wantField)
				}
			}
		})
	}

	// The strict webinar with every required answer: approved at once.
	full := regPerson("d@example.com")
	full["org"] = "Acme"
	full["custom_questions"] = []map[string]string{{"title": "Company size?", "value": "11-50"}}
	if c := decodeStatus[registrantCreatedJSON](t, do(t, newPost(t, s, tok, path(strict), full)), 201); c.RegistrantID == "" {
		t.Errorf("created %+v", c)
	}
	approved := decode[registrantsPage](t, get(t, s, tok, path(strict)))
	if approved.TotalRecords != 1 || approved.Registrants[0].Email != "d@example.com" || approved.Registrants[0].Status != "approved" {
		t.Errorf("strict approved: %+v", approved)
	}
}

func TestServer_AddRegistrant_dailyCap(t *testing.T) {
	t.Parallel()
	acct, open, strict := regAccount(t)
	s := startServer(t, acct, WithPlan("unlimited"), WithRegistrantDailyCap(2))
	tok := token(t, s)
	p := func(w *Webinar) string { return fmt.Sprintf("/webinars/%d/registrants", w.ID) }
	do(t, newPost(t, s, tok, p(open), regPerson("cap@example.com")))
	do(t, newPost(t, s, tok, p(strict), regPerson("Cap@example.com"))) // 400/300, counts all the same
	res := do(t, newPost(t, s, tok, p(open), regPerson("cap@example.com")))
	wantErr(t, res, 429, 429)
	want := `You have exceeded the daily rate limit of "2" for Add a webinar registrant API requests for the registrant "cap@example.com". You can resume these API requests at GMT 00:00:00.`
	if e := res.errBody(t); e.Message != want {
		t.Errorf("message %q", e.Message)
	}
	if res.header.Get("X-RateLimit-Category") != "Light" || res.header.Get("X-RateLimit-Type") != "" || res.header.Get("Retry-After") != "" {
		t.Errorf("headers %v", res.header)
	}
	// Other registrants are not affected.
	decodeStatus[registrantCreatedJSON](t, do(t, newPost(t, s, tok, p(open), regPerson("other@example.com"))), 201)

	// Required questions not enforced: the strict webinar takes first/last/email.
	s2 := startServer(t, acct, WithPlan("unlimited"), WithEnforceRequiredQuestions(false), WithRegistrantDailyCap(0))
	tok2 := token(t, s2)
	for range 5 {
		decodeStatus[registrantCreatedJSON](t, do(t, newPost(t, s2, tok2, p(strict), regPerson("lax@example.com"))), 201)
	}
}

func decodeStatus[T any](t *testing.T, r result, status int) T {
	t.Helper()
	var v T
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
	return v
}

// TestContract_registration validates the answers of the registration endpoints,
// errors included, against Zoom's spec.
func TestContract_registration(t *testing.T) {
	t.Parallel()
	doc := spec(t)
	acct, open, strict := regAccount(t)
	s := startServer(t, acct, WithPlan("unlimited"), WithRegistrantDailyCap(1))
	tok := token(t, s)
	const qTmpl, rTmpl = "/webinars/{webinarId}/registrants/questions", "/webinars/{webinarId}/registrants"
	for _, w := range acct.Webinars {
		req := newGet(t, s, tok, fmt.Sprintf("/webinars/%d/registrants/questions", w.ID))
		res := do(t, req)
		switch {
		case w.Expired:
			if res.status != 404 {
				t.Fatalf("%d: %d", w.ID, res.status)
			}
		case w.ApprovalType == 2:
			if res.status != 400 {
				t.Fatalf("%d: %d", w.ID, res.status)
			}
			continue // 400 is not documented for this operation
		}
		validateResponse(t, doc, qTmpl, req, res)
	}
	past := find(t, acct, "past", func(w *Webinar) bool {
		return !w.Expired && w.ApprovalType != 2 && w.Type == 5 && w.StartTime.Before(acct.Now)
	})
	cases := []struct {
		w          *Webinar
		body       regBody
		wantStatus int
	}{
		{open, regPerson("contract@example.com"), 201},
		{strict, regPerson("contract2@example.com"), 400},
		{past, regPerson("contract3@example.com"), 400},
		{open, regPerson("contract@example.com"), 429},
		{&Webinar{ID: 99999999999}, regPerson("contract4@example.com"), 404},
	}
	for _, tc := range cases {
		req := newPost(t, s, tok, fmt.Sprintf("/webinars/%d/registrants", tc.w.ID), tc.body)
		res := do(t, req)
		if res.status != tc.wantStatus {
			t.Fatalf("POST %d: %d, want %d: %s", tc.w.ID, res.status, tc.wantStatus, res.body)
		}
		validateResponse(t, doc, rTmpl, req, res)
	}
}
