package zoom

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// RegistrantQuestions is a webinar's registration form (zoom-api.md §6.5):
// the standard fields it asks for beyond first name and email, and its
// custom questions.
type RegistrantQuestions struct {
	Questions       []*RegistrantQuestion       `json:"questions"`
	CustomQuestions []*RegistrantCustomQuestion `json:"custom_questions"`
}

// RegistrantQuestion is a standard field of the form. FieldName is one of
// last_name, address, city, country, zip, state, phone, industry, org,
// job_title, purchasing_time_frame, role_in_purchase_process,
// no_of_employees, comments.
type RegistrantQuestion struct {
	FieldName string `json:"field_name"`
	Required  bool   `json:"required"`
}

// RegistrantCustomQuestion is a custom question of the form. Type is short,
// single_radio, single_dropdown or multiple.
type RegistrantCustomQuestion struct {
	Title    string   `json:"title"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Answers  []string `json:"answers"`
}

// ListRegistrantQuestions returns a webinar's registration form. The
// endpoint is not paginated.
//
// Zoom API: GET /webinars/{webinarId}/registrants/questions
func (s *WebinarsService) ListRegistrantQuestions(ctx context.Context, webinarID int64) (*RegistrantQuestions, *Response, error) {
	return requestValue[RegistrantQuestions](ctx, s.client, "GET", "webinars/"+strconv.FormatInt(webinarID, 10)+"/registrants/questions", nil, nil)
}

// RegistrantRequest is what zoomsync sends to register a person: email,
// first name and last name, nothing else.
type RegistrantRequest struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
}

// RegistrantCreated is Zoom's answer to a registration (201).
type RegistrantCreated struct {
	// ID is the webinar's id: a number in the current spec, a string in
	// older ones; both decode.
	ID           int64         `json:"id"`
	RegistrantID string        `json:"registrant_id"`
	JoinURL      string        `json:"join_url"`
	Topic        string        `json:"topic"`
	StartTime    time.Time     `json:"start_time"`
	Occurrences  []*Occurrence `json:"occurrences"`
}

// UnmarshalJSON tolerates a string id and an "" start_time.
func (r *RegistrantCreated) UnmarshalJSON(b []byte) error {
	type plain RegistrantCreated
	var aux struct {
		*plain
		ID        jsonInt64 `json:"id"`
		StartTime jsonTime  `json:"start_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.ID = int64(aux.ID)
	r.StartTime = time.Time(aux.StartTime)
	return nil
}

// AddRegistrant registers a person for a webinar. Zoom answers an email that
// is already registered (approved or pending) with the existing
// registration, so a retried request does not register anyone twice.
//
// Errors callers tell apart with errors.Is: ErrHostCannotRegister (3027),
// ErrWebinarOver (3038), ErrNoRegistration (3000: no registration, capacity
// reached, paid registration, or a denied email), ErrValidation (300: a
// required field or question is missing, or the email is invalid),
// ErrWebinarNotFound (3001), and ErrRegistrantDailyCap (a
// *RegistrantLimitError: this email made too many registration requests
// today; other emails and other Light calls go on).
//
// Zoom API: POST /webinars/{webinarId}/registrants
func (s *WebinarsService) AddRegistrant(ctx context.Context, webinarID int64, r *RegistrantRequest) (*RegistrantCreated, *Response, error) {
	return requestValue[RegistrantCreated](ctx, s.client, "POST", "webinars/"+strconv.FormatInt(webinarID, 10)+"/registrants", nil, r)
}
