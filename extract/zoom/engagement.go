package zoom

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Engagement beyond attendance (issue 11): the Q&A, poll and survey reports of a webinar
// instance, and a webinar's registration tracking sources. The three reports take an
// instance uuid (double-encoded, EncodeUUID) or a numeric webinar id (its latest
// instance), are not paginated, and fail like the other reports: ErrWebinarNotFound,
// ErrReportTooOld.

// AnonymousAttendee is the name the Q&A and poll reports show for an anonymous participant
// (whose email is then "").
const AnonymousAttendee = "Anonymous Attendee"

// LiveAnswered is the answer the Q&A report shows for a question answered live.
const LiveAnswered = "live answered"

// WebinarQA is the Q&A report of one webinar instance.
type WebinarQA struct {
	ID        int64      `json:"id"`
	UUID      string     `json:"uuid"`
	StartTime time.Time  `json:"start_time"`
	Questions []*QAAsker `json:"questions"` // one entry per participant who asked
}

// QAAsker is a participant of the Q&A report and the questions they asked.
type QAAsker struct {
	Name            string     `json:"name"`  // AnonymousAttendee for an anonymous question
	Email           string     `json:"email"` // "" for guests and anonymous askers
	QuestionDetails []QADetail `json:"question_details"`
}

// QADetail is one question and its answer: "" when unanswered, LiveAnswered when answered
// live.
type QADetail struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// UnmarshalJSON tolerates a string id and a "" time.
func (r *WebinarQA) UnmarshalJSON(b []byte) error {
	type plain WebinarQA
	var aux struct {
		*plain
		ID        jsonInt64 `json:"id"`
		StartTime jsonTime  `json:"start_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.ID, r.StartTime = int64(aux.ID), time.Time(aux.StartTime)
	return nil
}

// GetWebinarQA returns the Q&A report of an instance (uuid) or of a webinar's latest
// instance (numeric id).
//
// Zoom API: GET /report/webinars/{webinarId}/qa
func (s *ReportsService) GetWebinarQA(ctx context.Context, uuid string) (*WebinarQA, *Response, error) {
	r := new(WebinarQA)
	resp, err := s.getReport(ctx, uuid, "qa", r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// WebinarPolls is the poll report of one webinar instance.
type WebinarPolls struct {
	ID        int64     `json:"id"`
	UUID      string    `json:"uuid"`
	StartTime time.Time `json:"start_time"`
	// Questions has one entry per participant who answered, with all their answers.
	Questions []*PollParticipant `json:"questions"`
}

// PollParticipant is a participant of the poll report and their answers.
type PollParticipant struct {
	Name            string        `json:"name"`
	FirstName       string        `json:"first_name"`
	LastName        string        `json:"last_name"`
	Email           string        `json:"email"`
	QuestionDetails []*PollAnswer `json:"question_details"`
}

// PollAnswer is a participant's answer to one poll question; the answers of a multiple
// choice question come joined by ";".
type PollAnswer struct {
	PollingID string    `json:"polling_id"`
	Question  string    `json:"question"`
	Answer    string    `json:"answer"`
	DateTime  time.Time `json:"date_time"`
}

// UnmarshalJSON tolerates a string id and a "" time.
func (r *WebinarPolls) UnmarshalJSON(b []byte) error {
	type plain WebinarPolls
	var aux struct {
		*plain
		ID        jsonInt64 `json:"id"`
		StartTime jsonTime  `json:"start_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.ID, r.StartTime = int64(aux.ID), time.Time(aux.StartTime)
	return nil
}

// UnmarshalJSON tolerates a "" time.
func (a *PollAnswer) UnmarshalJSON(b []byte) error {
	type plain PollAnswer
	var aux struct {
		*plain
		DateTime jsonTime `json:"date_time"`
	}
	aux.plain = (*plain)(a)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.DateTime = time.Time(aux.DateTime)
	return nil
}

// GetWebinarPolls returns the poll report of an instance (uuid) or of a webinar's latest
// instance (numeric id).
//
// Zoom API: GET /report/webinars/{webinarId}/polls
func (s *ReportsService) GetWebinarPolls(ctx context.Context, uuid string) (*WebinarPolls, *Response, error) {
	r := new(WebinarPolls)
	resp, err := s.getReport(ctx, uuid, "polls", r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// WebinarSurvey is the post-webinar survey report of one webinar instance. SurveyID is ""
// when the webinar has no survey.
//
// The OpenAPI exports zoomsync keeps lack this endpoint; the shape is that of Zoom's
// generated SDK, @zoom/rivet (Meetings.ReportsGetWebinarSurveyReportResponse).
type WebinarSurvey struct {
	WebinarID     int64                `json:"webinar_id"`
	WebinarUUID   string               `json:"webinar_uuid"`
	StartTime     time.Time            `json:"start_time"`
	SurveyID      string               `json:"survey_id"`
	SurveyName    string               `json:"survey_name"`
	SurveyAnswers []*SurveyParticipant `json:"survey_answers"`
}

// SurveyParticipant is a participant who answered the survey, and their answers.
type SurveyParticipant struct {
	Name          string          `json:"name"`
	FirstName     string          `json:"first_name"`
	LastName      string          `json:"last_name"`
	Email         string          `json:"email"`
	AnswerDetails []*SurveyAnswer `json:"answer_details"`
}

// SurveyAnswer is the answer to one survey question.
type SurveyAnswer struct {
	QuestionID string    `json:"question_id"`
	Question   string    `json:"question"`
	Answer     string    `json:"answer"`
	DateTime   time.Time `json:"date_time"`
}

// UnmarshalJSON tolerates a string webinar id and a "" time.
func (r *WebinarSurvey) UnmarshalJSON(b []byte) error {
	type plain WebinarSurvey
	var aux struct {
		*plain
		WebinarID jsonInt64 `json:"webinar_id"`
		StartTime jsonTime  `json:"start_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.WebinarID, r.StartTime = int64(aux.WebinarID), time.Time(aux.StartTime)
	return nil
}

// UnmarshalJSON tolerates a "" time.
func (a *SurveyAnswer) UnmarshalJSON(b []byte) error {
	type plain SurveyAnswer
	var aux struct {
		*plain
		DateTime jsonTime `json:"date_time"`
	}
	aux.plain = (*plain)(a)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.DateTime = time.Time(aux.DateTime)
	return nil
}

// GetWebinarSurvey returns the post-webinar survey report of an instance (uuid) or of a
// webinar's latest instance (numeric id).
//
// Zoom API: GET /report/webinars/{webinarId}/survey
func (s *ReportsService) GetWebinarSurvey(ctx context.Context, uuid string) (*WebinarSurvey, *Response, error) {
	r := new(WebinarSurvey)
	resp, err := s.getReport(ctx, uuid, "survey", r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// getReport decodes GET /report/webinars/{uuid}/{part} into v.
func (s *ReportsService) getReport(ctx context.Context, uuid, part string, v any) (*Response, error) {
	req, err := s.client.NewRequest(ctx, "GET", "report/webinars/"+EncodeUUID(uuid)+"/"+part, nil, nil)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}

// TrackingSource is a registration tracking source of a webinar: a platform its
// registration link was shared on, with the registrations and visitors it brought.
type TrackingSource struct {
	ID                string `json:"id"`
	SourceName        string `json:"source_name"`
	TrackingURL       string `json:"tracking_url"`
	RegistrationCount int    `json:"registration_count"`
	VisitorCount      int    `json:"visitor_count"`
}

// ListTrackingSources returns a webinar's registration tracking sources. The endpoint takes
// the numeric id only and is not paginated; an expired or unknown webinar is
// ErrWebinarNotFound.
//
// Zoom API: GET /webinars/{webinarId}/tracking_sources
func (s *WebinarsService) ListTrackingSources(ctx context.Context, webinarID int64) ([]*TrackingSource, *Response, error) {
	req, err := s.client.NewRequest(ctx, "GET", "webinars/"+strconv.FormatInt(webinarID, 10)+"/tracking_sources", nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var body struct {
		TrackingSources []*TrackingSource `json:"tracking_sources"`
	}
	resp, err := s.client.Do(req, &body)
	if err != nil {
		return nil, resp, err
	}
	return body.TrackingSources, resp, nil
}
