package schema

import "time"

// The raw streams of engagement beyond attendance (issue 11). Like the other raw rows
// they copy what Zoom said: emails are as the report gave them (not trimmed, not
// lower-cased; "" for guests and anonymous participants), and the transform applies the
// email rules. The three report streams are per instance; Seq keeps the report's order
// and, with the instance uuid, is the row's natural key within one fetch (Zoom gives
// questions and answers no id).

// WebinarQuestion is one row of raw/webinar_questions: one question of an instance's Q&A,
// GET /report/webinars/{uuid}/qa.
type WebinarQuestion struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID    int64     `parquet:"webinar_id"`
	InstanceUUID string    `parquet:"instance_uuid"`
	Seq          int32     `parquet:"seq"`
	Name         string    `parquet:"name"`  // "Anonymous Attendee" for an anonymous question
	Email        string    `parquet:"email"` // as Zoom returned it; "" for guests and anonymous askers
	Question     string    `parquet:"question"`
	Answer       string    `parquet:"answer"` // "" unanswered; "live answered" when answered live
}

// PollAnswer is one row of raw/poll_answers: a participant's answer to one poll question
// in an instance, GET /report/webinars/{uuid}/polls. A multiple choice answer is the
// chosen answers joined by ";", as Zoom gives it.
type PollAnswer struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID    int64     `parquet:"webinar_id"`
	InstanceUUID string    `parquet:"instance_uuid"`
	Seq          int32     `parquet:"seq"`
	Name         string    `parquet:"name"`
	FirstName    string    `parquet:"first_name"`
	LastName     string    `parquet:"last_name"`
	Email        string    `parquet:"email"` // as Zoom returned it
	PollID       string    `parquet:"poll_id"`
	Question     string    `parquet:"question"`
	Answer       string    `parquet:"answer"`
	AnsweredAt   time.Time `parquet:"answered_at,timestamp(microsecond)"`
}

// SurveyAnswer is one row of raw/survey_answers: a participant's answer to one question of
// the post-webinar survey after an instance, GET /report/webinars/{uuid}/survey.
type SurveyAnswer struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID    int64     `parquet:"webinar_id"`
	InstanceUUID string    `parquet:"instance_uuid"`
	SurveyID     string    `parquet:"survey_id"`
	SurveyName   string    `parquet:"survey_name"`
	Seq          int32     `parquet:"seq"`
	Name         string    `parquet:"name"`
	FirstName    string    `parquet:"first_name"`
	LastName     string    `parquet:"last_name"`
	Email        string    `parquet:"email"` // as Zoom returned it
	QuestionID   string    `parquet:"question_id"`
	Question     string    `parquet:"question"`
	Answer       string    `parquet:"answer"`
	AnsweredAt   time.Time `parquet:"answered_at,timestamp(microsecond)"`
}

// TrackingSource is one row of raw/tracking_sources: a registration tracking source of a
// webinar and the registrations and visitors it brought, GET /webinars/{webinarId}/tracking_sources.
type TrackingSource struct {
	RunID             string    `parquet:"run_id"`
	FetchedAt         time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID         int64     `parquet:"webinar_id"`
	ID                string    `parquet:"id"`
	SourceName        string    `parquet:"source_name"`
	TrackingURL       string    `parquet:"tracking_url"`
	RegistrationCount int32     `parquet:"registration_count"`
	VisitorCount      int32     `parquet:"visitor_count"`
}
