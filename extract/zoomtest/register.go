package zoomtest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// registrationConfig holds the options of POST /webinars/{webinarId}/registrants.
type registrationConfig struct {
	skipRequired  bool // WithEnforceRequiredQuestions(false)
	registrantCap int  // 0 → DefaultRegistrantDailyCap; < 0 → no cap
}

// DefaultRegistrantDailyCap is how many POST /webinars/{webinarId}/registrants requests one
// registrant email may make per UTC day before the simulator answers 429 (zoom-api.md §4:
// "N commonly 3").
const DefaultRegistrantDailyCap = 3

// WithEnforceRequiredQuestions sets whether POST /webinars/{webinarId}/registrants answers
// 400/300 "Validation Failed." when a required standard field or custom question of the
// webinar is missing (default true). Zoom does not document this case (zoom-api.md §6.6).
func WithEnforceRequiredQuestions(enforce bool) Option {
	return func(c *config) { c.registration.skipRequired = !enforce }
}

// WithRegistrantDailyCap sets the per-registrant daily cap of POST
// /webinars/{webinarId}/registrants: the (n+1)th request for one email in a UTC day answers
// 429 (default DefaultRegistrantDailyCap); n <= 0 turns the cap off.
func WithRegistrantDailyCap(n int) Option {
	return func(c *config) {
		if n <= 0 {
			n = -1
		}
		c.registration.registrantCap = n
	}
}

// registrations is the mutable registration state of a server: the registrant lists of
// the account's webinars (guarded by mu: POST appends while GET lists) and the
// per-registrant request counts of the current UTC day.
type registrations struct {
	mu       sync.RWMutex
	day      time.Time
	attempts map[string]int // lower-cased trimmed email → POST requests today
}

// listRegistrantsLocked is listRegistrants under the registration lock.
func (s *Server) listRegistrantsLocked(c *call) (int, any) {
	s.reg.mu.RLock()
	defer s.reg.mu.RUnlock()
	return s.listRegistrants(c)
}

// --- GET /webinars/{webinarId}/registrants/questions ---

type questionJSON struct {
	FieldName string `json:"field_name"`
	Required  bool   `json:"required"`
}

type customQuestionJSON struct {
	Title    string   `json:"title"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Answers  []string `json:"answers,omitempty"`
}

type questionsJSON struct {
	Questions       []questionJSON       `json:"questions"`
	CustomQuestions []customQuestionJSON `json:"custom_questions"`
}

// listRegistrantQuestions implements GET /webinars/{webinarId}/registrants/questions.
// Expired or unknown webinars answer 404/3001, webinars without registration 400/3000.
func (s *Server) listRegistrantQuestions(c *call) (int, any) {
	w, st, eb := s.findWebinar(c)
	if st != 0 {
		return st, eb
	}
	if w.Expired {
		return apiErr(http.StatusNotFound, 3001, "Webinar %q not found or has expired.", c.params["webinarId"])
	}
	if w.ApprovalType == 2 {
		return apiErr(http.StatusBadRequest, 3000, "This webinar does not have registration as required: %d.", w.ID)
	}
	s.reg.mu.RLock()
	defer s.reg.mu.RUnlock()
	out := questionsJSON{Questions: []questionJSON{}, CustomQuestions: []customQuestionJSON{}}
	for _, q := range w.Questions {
		out.Questions = append(out.Questions, questionJSON{FieldName: q.FieldName, Required: q.Required})
	}
	for _, q := range customQuestionsOf(w) {
		out.CustomQuestions = append(out.CustomQuestions, customQuestionJSON{
			Title: q.Title, Type: q.Type, Required: q.Required, Answers: q.Answers,
		})
	}
	return http.StatusOK, out
}

// customQuestionsOf returns w.CustomQuestions or, when nil, optional questions with the
// titles the registrants answered (the generator's question set). Call under s.reg.mu.
func customQuestionsOf(w *Webinar) []RegistrationCustomQuestion {
	if w.CustomQuestions != nil {
		return w.CustomQuestions
	}
	var out []RegistrationCustomQuestion
	seen := map[string]bool{}
	for _, r := range w.Registrants {
		for _, a := range r.CustomQuestions {
			if seen[a.Title] {
				continue
			}
			seen[a.Title] = true
			q := RegistrationCustomQuestion{Title: a.Title, Type: "short"}
			for _, gq := range questions {
				if gq.title == a.Title && gq.answers != nil {
					q.Type, q.Answers = "single_radio", gq.answers
				}
			}
			out = append(out, q)
		}
	}
	return out
}

// --- POST /webinars/{webinarId}/registrants ---

// registrantRequest is the body of POST /webinars/{webinarId}/registrants.
type registrantRequest struct {
	Email                 string           `json:"email"`
	FirstName             string           `json:"first_name"`
	LastName              string           `json:"last_name"`
	Address               string           `json:"address"`
	City                  string           `json:"city"`
	State                 string           `json:"state"`
	Zip                   string           `json:"zip"`
	Country               string           `json:"country"`
	Phone                 string           `json:"phone"`
	Comments              string           `json:"comments"`
	Industry              string           `json:"industry"`
	JobTitle              string           `json:"job_title"`
	NoOfEmployees         string           `json:"no_of_employees"`
	Org                   string           `json:"org"`
	PurchasingTimeFrame   string           `json:"purchasing_time_frame"`
	RoleInPurchaseProcess string           `json:"role_in_purchase_process"`
	CustomQuestions       []customQuestion `json:"custom_questions"`
	Language              string           `json:"language"`
	SourceID              string           `json:"source_id"`
}

// field returns the value of a standard field by its field_name.
func (r *registrantRequest) field(name string) string {
	switch name {
	case "last_name":
		return r.LastName
	case "address":
		return r.Address
	case "city":
		return r.City
	case "country":
		return r.Country
	case "zip":
		return r.Zip
	case "state":
		return r.State
	case "phone":
		return r.Phone
	case "industry":
		return r.Industry
	case "org":
		return r.Org
	case "job_title":
		return r.JobTitle
	case "purchasing_time_frame":
		return r.PurchasingTimeFrame
	case "role_in_purchase_process":
		return r.RoleInPurchaseProcess
	case "no_of_employees":
		return r.NoOfEmployees
	case "comments":
		return r.Comments
	}
	return ""
}

type registrantCreatedJSON struct {
	ID           int64            `json:"id"`
	RegistrantID string           `json:"registrant_id"`
	JoinURL      string           `json:"join_url"`
	Topic        string           `json:"topic"`
	StartTime    string           `json:"start_time"`
	Occurrences  []occurrenceJSON `json:"occurrences,omitempty"`
}

// registrantEmail is what the simulator accepts as a registrant email: one "@", a dotted
// domain and a top-level domain of letters.
var registrantEmail = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)

// addRegistrant implements POST /webinars/{webinarId}/registrants (zoom-api.md §6.6, §8.7).
// In order: 404/3001 unknown or expired webinar; 400/300 a malformed body, email or
// first_name; 429 past the per-registrant daily cap (every request naming a valid email
// counts); 400/3000 no registration (approval_type 2); 400/3038 the webinar is over
// (relative to Account.Now); 400/3027 the host's email; 400/3000 a denied email; 201 with
// the existing registration for an approved or pending email (case-insensitive); 400/300
// a missing required field or custom question (WithEnforceRequiredQuestions); else 201 with
// a new registrant, approved (approval_type 0) or pending (1), appended to the webinar.
func (s *Server) addRegistrant(c *call) (int, any) {
	w, st, eb := s.findWebinar(c)
	if st != 0 {
		return st, eb
	}
	if w.Expired {
		return apiErr(http.StatusNotFound, 3001, "Webinar %q not found or has expired.", c.params["webinarId"])
	}
	var req registrantRequest
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, &req) != nil {
		return apiErr(http.StatusBadRequest, 300, "Request Body should be a valid JSON object.")
	}
	email := strings.TrimSpace(req.Email)
	switch {
	case email == "" || len(email) > 128 || !registrantEmail.MatchString(email):
		return validationFailed("email")
	case strings.TrimSpace(req.FirstName) == "" || len([]rune(req.FirstName)) > 64:
		return validationFailed("first_name")
	case len([]rune(req.LastName)) > 64:
		return validationFailed("last_name")
	}
	for _, q := range req.CustomQuestions {
		if len([]rune(q.Value)) > 128 {
			return validationFailed("custom_questions")
		}
	}
	key := strings.ToLower(email)

	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	if limit := s.registrantCap(); limit > 0 {
		if day := time.Now().UTC().Truncate(24 * time.Hour); !day.Equal(s.reg.day) || s.reg.attempts == nil {
			s.reg.day, s.reg.attempts = day, map[string]int{}
		}
		if s.reg.attempts[key] >= limit {
			return s.registrantCap429(c, limit, email)
		}
		s.reg.attempts[key]++
	}

	if w.ApprovalType == 2 {
		return apiErr(http.StatusBadRequest, 3000, "This webinar does not have registration as required: %d.", w.ID)
	}
	if s.isOver(w) {
		return apiErr(http.StatusBadRequest, 3038, "Webinar is over, you cannot register now. If you have any questions, contact the webinar host.")
	}
	if strings.EqualFold(email, strings.TrimSpace(w.HostEmail)) {
		return apiErr(http.StatusBadRequest, 3027, "Host cannot register.")
	}
	for _, r := range w.Registrants {
		if !strings.EqualFold(strings.TrimSpace(r.Email), email) {
			continue
		}
		if r.Status == "denied" {
			return apiErr(http.StatusBadRequest, 3000, "You cannot register for this webinar: the registration of %s was denied.", email)
		}
		return http.StatusCreated, s.created(w, r)
	}
	if !s.cfg.registration.skipRequired {
		if fe := missingRequired(w, &req); len(fe) > 0 {
			return http.StatusBadRequest, errorBody{Code: 300, Message: "Validation Failed.", Errors: fe}
		}
	}
	r := &Registrant{
		ID:         registrantID(),
		Email:      email,
		FirstName:  req.FirstName,
		LastName:   req.LastName,
		Status:     "approved",
		CreateTime: s.acct.Now,
		Org:        req.Org,
		JobTitle:   req.JobTitle,
		Country:    req.Country,
	}
	if w.ApprovalType == 1 {
		r.Status = "pending"
	}
	r.JoinURL = fmt.Sprintf("https://zoom.us/w/%d?tk=%s", w.ID, r.ID)
	for _, q := range req.CustomQuestions {
		r.CustomQuestions = append(r.CustomQuestions, CustomAnswer(q))
	}
	w.Registrants = append(w.Registrants, r)
	return http.StatusCreated, s.created(w, r)
}

func (s *Server) registrantCap() int {
	if n := s.cfg.registration.registrantCap; n != 0 {
		return n
	}
	return DefaultRegistrantDailyCap
}

// registrantCap429 writes Zoom's per-registrant 429: the body names the cap and the email;
// the headers describe the account's Light bucket, without X-RateLimit-Type or Retry-After
// (zoom-api.md §4 [obs]).
func (s *Server) registrantCap429(c *call, limit int, email string) (int, any) {
	h := c.w.Header()
	h.Set("X-RateLimit-Category", Light)
	h.Set("X-RateLimit-Limit", "6000")
	h.Set("X-RateLimit-Remaining", "5893")
	return http.StatusTooManyRequests, errorBody{Code: 429, Message: fmt.Sprintf(
		"You have exceeded the daily rate limit of \"%d\" for Add a webinar registrant API requests for the registrant \"%s\". You can resume these API requests at GMT 00:00:00.",
		limit, email)}
}

// isOver reports whether registration for w has closed because every scheduled session
// has ended relative to Account.Now. Type 6 webinars (no fixed time) are never over.
func (s *Server) isOver(w *Webinar) bool {
	if w.Type == 6 {
		return false
	}
	end := w.StartTime.Add(time.Duration(w.Duration) * time.Minute)
	for _, o := range w.Occurrences {
		if o.Status == "deleted" {
			continue
		}
		if e := o.StartTime.Add(time.Duration(o.Duration) * time.Minute); e.After(end) {
			end = e
		}
	}
	return !end.After(s.acct.Now)
}

// missingRequired lists the required standard fields and custom questions req leaves empty.
func missingRequired(w *Webinar, req *registrantRequest) []fieldError {
	var out []fieldError
	for _, q := range w.Questions {
		if q.Required && strings.TrimSpace(req.field(q.FieldName)) == "" {
			out = append(out, fieldError{Field: q.FieldName, Message: "Required field is missing."})
		}
	}
	for _, q := range customQuestionsOf(w) {
		if !q.Required {
			continue
		}
		answered := false
		for _, a := range req.CustomQuestions {
			if a.Title == q.Title && strings.TrimSpace(a.Value) != "" {
				answered = true
			}
		}
		if !answered {
			out = append(out, fieldError{Field: "custom_questions", Message: "Required question is missing: " + q.Title})
		}
	}
	return out
}

func (s *Server) created(w *Webinar, r *Registrant) registrantCreatedJSON {
	out := registrantCreatedJSON{ID: w.ID, RegistrantID: r.ID, JoinURL: r.JoinURL, Topic: w.Topic, StartTime: zt(w.StartTime)}
	for _, o := range w.Occurrences {
		if o.StartTime.After(s.acct.Now) {
			out.Occurrences = append(out.Occurrences, occurrenceJSON{OccurrenceID: o.ID, StartTime: zt(o.StartTime),
				Duration: o.Duration, Status: o.Status})
		}
	}
	return out
}

// registrantID returns a new random registrant id: 22 characters of Zoom's id alphabet.
func registrantID() string {
	b := make([]byte, 22)
	rand.Read(b) //nolint:errcheck // never fails
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}
