package zoomtest

import (
	"net/http"
	"time"
)

// The engagement routes (issue 11). The Q&A, poll and survey reports take, like the other
// /report/webinars routes, a webinar id (its latest ended instance) or an instance uuid;
// they are not paginated (the spec has no paging parameters for them), and an instance
// without data answers 200 with an empty list. All three are Heavy.

// zms formats a time with milliseconds, as the poll and survey reports' examples show.
func zms(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// --- GET /report/webinars/{webinarId}/qa ---

type qaReportJSON struct {
	ID        int64         `json:"id"`
	UUID      string        `json:"uuid"`
	StartTime string        `json:"start_time"`
	Questions []qaAskerJSON `json:"questions"`
}

type qaAskerJSON struct {
	Name            string         `json:"name"`
	Email           string         `json:"email"`
	QuestionDetails []qaDetailJSON `json:"question_details"`
}

type qaDetailJSON struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// getWebinarQA implements GET /report/webinars/{webinarId}/qa.
func (s *Server) getWebinarQA(c *call) (int, any) {
	w, in, st, eb := s.findInstance(c)
	if st != 0 {
		return st, eb
	}
	out := qaReportJSON{ID: w.ID, UUID: in.UUID, StartTime: zt(in.StartTime), Questions: []qaAskerJSON{}}
	for _, a := range in.QA {
		j := qaAskerJSON{Name: a.Name, Email: a.Email, QuestionDetails: []qaDetailJSON{}}
		for _, q := range a.Questions {
			j.QuestionDetails = append(j.QuestionDetails, qaDetailJSON{Question: q.Question, Answer: q.Answer})
		}
		out.Questions = append(out.Questions, j)
	}
	return http.StatusOK, out
}

// --- GET /report/webinars/{webinarId}/polls ---

type pollsReportJSON struct {
	ID        int64              `json:"id"`
	UUID      string             `json:"uuid"`
	StartTime string             `json:"start_time"`
	Questions []pollResponseJSON `json:"questions"`
}

type pollResponseJSON struct {
	Name            string           `json:"name"`
	FirstName       string           `json:"first_name"`
	LastName        string           `json:"last_name"`
	Email           string           `json:"email"`
	QuestionDetails []pollDetailJSON `json:"question_details"`
}

type pollDetailJSON struct {
	PollingID string `json:"polling_id"`
	Question  string `json:"question"`
	Answer    string `json:"answer"`
	DateTime  string `json:"date_time"`
}

// getWebinarPolls implements GET /report/webinars/{webinarId}/polls: per participant who
// answered, every answer with the poll's id and the time.
func (s *Server) getWebinarPolls(c *call) (int, any) {
	w, in, st, eb := s.findInstance(c)
	if st != 0 {
		return st, eb
	}
	out := pollsReportJSON{ID: w.ID, UUID: in.UUID, StartTime: zt(in.StartTime), Questions: []pollResponseJSON{}}
	for _, r := range in.PollResponses {
		j := pollResponseJSON{Name: r.Name, FirstName: r.FirstName, LastName: r.LastName, Email: r.Email,
			QuestionDetails: []pollDetailJSON{}}
		for _, a := range r.Answers {
			j.QuestionDetails = append(j.QuestionDetails, pollDetailJSON{PollingID: a.PollID, Question: a.Question,
				Answer: a.Answer, DateTime: zms(a.Time)})
		}
		out.Questions = append(out.Questions, j)
	}
	return http.StatusOK, out
}

// --- GET /report/webinars/{webinarId}/survey ---

// Neither OpenAPI export in reference/ has this route. Its shape is that of Zoom's own
// generated SDK, @zoom/rivet (type Meetings.ReportsGetWebinarSurveyReportResponse,
// https://zoom.github.io/rivet-javascript/types/Meetings.ReportsGetWebinarSurveyReportResponse.html):
//
//	{ webinar_id: int64, webinar_uuid, start_time, survey_id, survey_name,
//	  survey_answers: [{ email, name, first_name, last_name,
//	                     answer_details: [{ question_id, question, answer, date_time }] }] }
//
// and its path parameter is a webinar id or uuid (ReportsGetWebinarSurveyReportPathParams:
// webinarId string). The endpoint list of openapi.city (a crawl of Zoom's Meeting API
// spec) gives its rate-limit label, Heavy, its scope, report:read:admin (granular
// report:read:webinar_survey:admin), no query parameters, and the errors 400/1010,
// 400/12702, 400/200 and 404/3001 — the same as the poll report. A webinar without a
// survey answers 200 with no survey_id or survey_name and no answers [unverified].
// TestContract_responses validates the answers against this shape (surveySchemaJSON).

type surveyReportJSON struct {
	WebinarID     int64                `json:"webinar_id"`
	WebinarUUID   string               `json:"webinar_uuid"`
	StartTime     string               `json:"start_time"`
	SurveyID      string               `json:"survey_id,omitempty"`
	SurveyName    string               `json:"survey_name,omitempty"`
	SurveyAnswers []surveyResponseJSON `json:"survey_answers"`
}

type surveyResponseJSON struct {
	Name          string             `json:"name"`
	FirstName     string             `json:"first_name"`
	LastName      string             `json:"last_name"`
	Email         string             `json:"email"`
	AnswerDetails []surveyAnswerJSON `json:"answer_details"`
}

type surveyAnswerJSON struct {
	QuestionID string `json:"question_id"`
	Question   string `json:"question"`
	Answer     string `json:"answer"`
	DateTime   string `json:"date_time"`
}

// getWebinarSurvey implements GET /report/webinars/{webinarId}/survey.
func (s *Server) getWebinarSurvey(c *call) (int, any) {
	w, in, st, eb := s.findInstance(c)
	if st != 0 {
		return st, eb
	}
	out := surveyReportJSON{WebinarID: w.ID, WebinarUUID: in.UUID, StartTime: zt(in.StartTime),
		SurveyAnswers: []surveyResponseJSON{}}
	if w.Survey != nil {
		out.SurveyID, out.SurveyName = w.Survey.ID, w.Survey.Name
	}
	for _, r := range in.SurveyResponses {
		j := surveyResponseJSON{Name: r.Name, FirstName: r.FirstName, LastName: r.LastName, Email: r.Email,
			AnswerDetails: []surveyAnswerJSON{}}
		for _, a := range r.Answers {
			j.AnswerDetails = append(j.AnswerDetails, surveyAnswerJSON{QuestionID: a.QuestionID, Question: a.Question,
				Answer: a.Answer, DateTime: zms(a.Time)})
		}
		out.SurveyAnswers = append(out.SurveyAnswers, j)
	}
	return http.StatusOK, out
}

// --- GET /webinars/{webinarId}/tracking_sources ---

type trackingSourceJSON struct {
	ID                string `json:"id"`
	SourceName        string `json:"source_name"`
	TrackingURL       string `json:"tracking_url"`
	RegistrationCount int    `json:"registration_count"`
	VisitorCount      int    `json:"visitor_count"`
}

type trackingSourcesJSON struct {
	TotalRecords    int                  `json:"total_records"`
	TrackingSources []trackingSourceJSON `json:"tracking_sources"`
}

// listTrackingSources implements GET /webinars/{webinarId}/tracking_sources (numeric id
// only, as the spec types it; not paginated; Medium). Expired or unknown webinars answer
// 404/3001 as GET /webinars/{webinarId} does. total_records is the number of sources. A
// webinar without registration (or without sources) answers 200 with none [unverified:
// the spec documents no error for it].
func (s *Server) listTrackingSources(c *call) (int, any) {
	w, st, eb := s.listedWebinar(c)
	if st != 0 {
		return st, eb
	}
	out := trackingSourcesJSON{TotalRecords: len(w.TrackingSources), TrackingSources: []trackingSourceJSON{}}
	for _, t := range w.TrackingSources {
		out.TrackingSources = append(out.TrackingSources, trackingSourceJSON{ID: t.ID, SourceName: t.SourceName,
			TrackingURL: t.TrackingURL, RegistrationCount: t.RegistrationCount, VisitorCount: t.VisitorCount})
	}
	return http.StatusOK, out
}
