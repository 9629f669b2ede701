package extract

import (
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

// Raw rows of the engagement streams (issue 11), as rows.go: what Zoom said, flattened,
// without trimming or lower-casing. uuid is the instance the report was asked for; Seq
// numbers the rows of one report in its order, from 0.

// webinarQuestionRows flattens a Q&A report: one row per question.
func webinarQuestionRows(runID string, at time.Time, webinarID int64, uuid string, r *zoom.WebinarQA) []schema.WebinarQuestion {
	var rows []schema.WebinarQuestion
	for _, a := range r.Questions {
		for _, q := range a.QuestionDetails {
			rows = append(rows, schema.WebinarQuestion{RunID: runID, FetchedAt: at, WebinarID: webinarID,
				InstanceUUID: uuid, Seq: int32(len(rows)), Name: a.Name, Email: a.Email,
				Question: q.Question, Answer: q.Answer})
		}
	}
	return rows
}

// pollAnswerRows flattens a poll report: one row per participant and poll question.
func pollAnswerRows(runID string, at time.Time, webinarID int64, uuid string, r *zoom.WebinarPolls) []schema.PollAnswer {
	var rows []schema.PollAnswer
	for _, p := range r.Questions {
		for _, a := range p.QuestionDetails {
			rows = append(rows, schema.PollAnswer{RunID: runID, FetchedAt: at, WebinarID: webinarID,
				InstanceUUID: uuid, Seq: int32(len(rows)), Name: p.Name, FirstName: p.FirstName,
				LastName: p.LastName, Email: p.Email, PollID: a.PollingID, Question: a.Question,
				Answer: a.Answer, AnsweredAt: a.DateTime})
		}
	}
	return rows
}

// surveyAnswerRows flattens a survey report: one row per participant and survey question.
func surveyAnswerRows(runID string, at time.Time, webinarID int64, uuid string, r *zoom.WebinarSurvey) []schema.SurveyAnswer {
	var rows []schema.SurveyAnswer
	for _, p := range r.SurveyAnswers {
		for _, a := range p.AnswerDetails {
			rows = append(rows, schema.SurveyAnswer{RunID: runID, FetchedAt: at, WebinarID: webinarID,
				InstanceUUID: uuid, SurveyID: r.SurveyID, SurveyName: r.SurveyName, Seq: int32(len(rows)),
				Name: p.Name, FirstName: p.FirstName, LastName: p.LastName, Email: p.Email,
				QuestionID: a.QuestionID, Question: a.Question, Answer: a.Answer, AnsweredAt: a.DateTime})
		}
	}
	return rows
}

// trackingSourceRows converts a webinar's tracking sources: one row per source.
func trackingSourceRows(runID string, at time.Time, webinarID int64, sources []*zoom.TrackingSource) []schema.TrackingSource {
	var rows []schema.TrackingSource
	for _, s := range sources {
		rows = append(rows, schema.TrackingSource{RunID: runID, FetchedAt: at, WebinarID: webinarID, ID: s.ID,
			SourceName: s.SourceName, TrackingURL: s.TrackingURL,
			RegistrationCount: int32(s.RegistrationCount), VisitorCount: int32(s.VisitorCount)})
	}
	return rows
}
