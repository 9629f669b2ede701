package extract

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

var (
	rowsAt   = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	answerAt = time.Date(2026, 10, 20, 15, 4, 5, 660_000_000, time.UTC)
)

const (
	rowsRun     = "run-1"
	rowsWebinar = int64(81234567890)
	rowsUUID    = "/ab//cd+ef=="
)

func TestWebinarQuestionRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		have *zoom.WebinarQA
		want []schema.WebinarQuestion
	}{
		{"empty report", &zoom.WebinarQA{}, nil},
		{"askers flattened in order, emails as given", &zoom.WebinarQA{Questions: []*zoom.QAAsker{
			{Name: "Ana Silva", Email: " Ana.Silva@Example.com", QuestionDetails: []zoom.QADetail{
				{Question: "Slides?", Answer: "Yes"}, {Question: "Trial?", Answer: ""}}},
			{Name: zoom.AnonymousAttendee, Email: "", QuestionDetails: []zoom.QADetail{{Question: "SSO?", Answer: zoom.LiveAnswered}}},
			{Name: "Guest 1", QuestionDetails: nil},
		}}, []schema.WebinarQuestion{
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, Seq: 0,
				Name: "Ana Silva", Email: " Ana.Silva@Example.com", Question: "Slides?", Answer: "Yes"},
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, Seq: 1,
				Name: "Ana Silva", Email: " Ana.Silva@Example.com", Question: "Trial?", Answer: ""},
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, Seq: 2,
				Name: "Anonymous Attendee", Email: "", Question: "SSO?", Answer: "live answered"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := webinarQuestionRows(rowsRun, rowsAt, rowsWebinar, rowsUUID, tc.have)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPollAnswerRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		have *zoom.WebinarPolls
		want []schema.PollAnswer
	}{
		{"empty report", &zoom.WebinarPolls{}, nil},
		{"one row per participant and question", &zoom.WebinarPolls{Questions: []*zoom.PollParticipant{
			{Name: "Ana Silva", FirstName: "Ana", LastName: "Silva", Email: "ANA@example.com", QuestionDetails: []*zoom.PollAnswer{
				{PollingID: "p1", Question: "Role?", Answer: "Sales", DateTime: answerAt},
				{PollingID: "p2", Question: "Plans?", Answer: "Pro;Enterprise", DateTime: answerAt.Add(time.Minute)}}},
			{Name: "Guest 2", FirstName: "Guest", LastName: "2", QuestionDetails: []*zoom.PollAnswer{
				{PollingID: "p1", Question: "Role?", Answer: "Other"}}},
		}}, []schema.PollAnswer{
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, Seq: 0, Name: "Ana Silva",
				FirstName: "Ana", LastName: "Silva", Email: "ANA@example.com", PollID: "p1", Question: "Role?",
				Answer: "Sales", AnsweredAt: answerAt},
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, Seq: 1, Name: "Ana Silva",
				FirstName: "Ana", LastName: "Silva", Email: "ANA@example.com", PollID: "p2", Question: "Plans?",
				Answer: "Pro;Enterprise", AnsweredAt: answerAt.Add(time.Minute)},
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, Seq: 2, Name: "Guest 2",
				FirstName: "Guest", LastName: "2", PollID: "p1", Question: "Role?", Answer: "Other"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pollAnswerRows(rowsRun, rowsAt, rowsWebinar, rowsUUID, tc.have)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSurveyAnswerRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		have *zoom.WebinarSurvey
		want []schema.SurveyAnswer
	}{
		{"no survey", &zoom.WebinarSurvey{WebinarID: rowsWebinar}, nil},
		{"survey id and name on every row", &zoom.WebinarSurvey{SurveyID: "s1", SurveyName: "Post-webinar survey",
			SurveyAnswers: []*zoom.SurveyParticipant{
				{Name: "Ana Silva", FirstName: "Ana", LastName: "Silva", Email: "ana@example.com", AnswerDetails: []*zoom.SurveyAnswer{
					{QuestionID: "q1", Question: "Satisfied?", Answer: "5", DateTime: answerAt},
					{QuestionID: "q3", Question: "Feedback?", Answer: "Great session!", DateTime: answerAt}}},
			}}, []schema.SurveyAnswer{
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, SurveyID: "s1",
				SurveyName: "Post-webinar survey", Seq: 0, Name: "Ana Silva", FirstName: "Ana", LastName: "Silva",
				Email: "ana@example.com", QuestionID: "q1", Question: "Satisfied?", Answer: "5", AnsweredAt: answerAt},
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, InstanceUUID: rowsUUID, SurveyID: "s1",
				SurveyName: "Post-webinar survey", Seq: 1, Name: "Ana Silva", FirstName: "Ana", LastName: "Silva",
				Email: "ana@example.com", QuestionID: "q3", Question: "Feedback?", Answer: "Great session!", AnsweredAt: answerAt},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := surveyAnswerRows(rowsRun, rowsAt, rowsWebinar, rowsUUID, tc.have)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTrackingSourceRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		have []*zoom.TrackingSource
		want []schema.TrackingSource
	}{
		{"none", nil, nil},
		{"counts kept", []*zoom.TrackingSource{
			{ID: "5516482804110", SourceName: "LinkedIn", TrackingURL: "https://zoom.us/webinar/register/5516482804110/WN_x",
				RegistrationCount: 12, VisitorCount: 40},
			{ID: "5516482804111", SourceName: "Newsletter", TrackingURL: "https://zoom.us/webinar/register/5516482804111/WN_x"},
		}, []schema.TrackingSource{
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, ID: "5516482804110", SourceName: "LinkedIn",
				TrackingURL: "https://zoom.us/webinar/register/5516482804110/WN_x", RegistrationCount: 12, VisitorCount: 40},
			{RunID: rowsRun, FetchedAt: rowsAt, WebinarID: rowsWebinar, ID: "5516482804111", SourceName: "Newsletter",
				TrackingURL: "https://zoom.us/webinar/register/5516482804111/WN_x"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := trackingSourceRows(rowsRun, rowsAt, rowsWebinar, tc.have)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
