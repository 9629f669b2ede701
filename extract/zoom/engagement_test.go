package zoom

import (
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

func TestReportsService_GetWebinarQA(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w, in := findInstance(t, f.acct, func(_ *zoomtest.Webinar, in *zoomtest.Instance) bool { return len(in.QA) > 2 })
	var want []*QAAsker
	for _, a := range in.QA {
		x := &QAAsker{Name: a.Name, Email: a.Email}
		for _, q := range a.Questions {
			x.QuestionDetails = append(x.QuestionDetails, QADetail{Question: q.Question, Answer: q.Answer})
		}
		want = append(want, x)
	}
	got, resp, err := f.client.Reports.GetWebinarQA(t.Context(), in.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != w.ID || got.UUID != in.UUID || !got.StartTime.Equal(in.StartTime) || resp.StatusCode != 200 {
		t.Errorf("report of %d %s: id %d, uuid %s, start %v", w.ID, in.UUID, got.ID, got.UUID, got.StartTime)
	}
	if diff := cmp.Diff(want, got.Questions); diff != "" {
		t.Errorf("questions of %s (-want +got):\n%s", in.UUID, diff)
	}
}

func TestReportsService_GetWebinarPolls(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w, in := findInstance(t, f.acct, func(_ *zoomtest.Webinar, in *zoomtest.Instance) bool { return len(in.PollResponses) > 0 })
	var want []*PollParticipant
	for _, r := range in.PollResponses {
		x := &PollParticipant{Name: r.Name, FirstName: r.FirstName, LastName: r.LastName, Email: r.Email}
		for _, a := range r.Answers {
			x.QuestionDetails = append(x.QuestionDetails, &PollAnswer{PollingID: a.PollID, Question: a.Question,
				Answer: a.Answer, DateTime: a.Time.UTC()})
		}
		want = append(want, x)
	}
	got, _, err := f.client.Reports.GetWebinarPolls(t.Context(), in.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != w.ID || got.UUID != in.UUID || !got.StartTime.Equal(in.StartTime) {
		t.Errorf("report of %d %s: id %d, uuid %s, start %v", w.ID, in.UUID, got.ID, got.UUID, got.StartTime)
	}
	if diff := cmp.Diff(want, got.Questions); diff != "" {
		t.Errorf("poll answers of %s (-want +got):\n%s", in.UUID, diff)
	}
}

func TestReportsService_GetWebinarSurvey(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w, in := findInstance(t, f.acct, func(_ *zoomtest.Webinar, in *zoomtest.Instance) bool { return len(in.SurveyResponses) > 0 })
	var want []*SurveyParticipant
	for _, r := range in.SurveyResponses {
		x := &SurveyParticipant{Name: r.Name, FirstName: r.FirstName, LastName: r.LastName, Email: r.Email}
		for _, a := range r.Answers {
			x.AnswerDetails = append(x.AnswerDetails, &SurveyAnswer{QuestionID: a.QuestionID, Question: a.Question,
				Answer: a.Answer, DateTime: a.Time.UTC()})
		}
		want = append(want, x)
	}
	got, _, err := f.client.Reports.GetWebinarSurvey(t.Context(), in.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.WebinarID != w.ID || got.WebinarUUID != in.UUID || got.SurveyID != w.Survey.ID || got.SurveyName != w.Survey.Name {
		t.Errorf("report of %d %s: %d %s survey %q %q", w.ID, in.UUID, got.WebinarID, got.WebinarUUID, got.SurveyID, got.SurveyName)
	}
	if diff := cmp.Diff(want, got.SurveyAnswers); diff != "" {
		t.Errorf("survey answers of %s (-want +got):\n%s", in.UUID, diff)
	}

	// A webinar without a survey: no survey id, no answers.
	_, plain := findInstance(t, f.acct, func(w *zoomtest.Webinar, _ *zoomtest.Instance) bool { return w.Survey == nil })
	none, _, err := f.client.Reports.GetWebinarSurvey(t.Context(), plain.UUID)
	if err != nil || none.SurveyID != "" || len(none.SurveyAnswers) != 0 {
		t.Errorf("instance without a survey: %+v, %v", none, err)
	}
}

// TestReportsService_engagementByID: a numeric id reads the webinar's latest ended
// instance, as for the other reports.
func TestReportsService_engagementByID(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	w, in := findInstance(t, f.acct, func(w *zoomtest.Webinar, in *zoomtest.Instance) bool {
		return len(w.Instances) > 1 && in == w.Instances[len(w.Instances)-1] && len(in.QA) > 0
	})
	id := strconv.FormatInt(w.ID, 10)
	qa, _, err := f.client.Reports.GetWebinarQA(t.Context(), id)
	if err != nil || qa.UUID != in.UUID || len(qa.Questions) != len(in.QA) {
		t.Errorf("Q&A by id %s: %+v, %v; want instance %s", id, qa, err, in.UUID)
	}
	polls, _, err := f.client.Reports.GetWebinarPolls(t.Context(), id)
	if err != nil || polls.UUID != in.UUID || len(polls.Questions) != len(in.PollResponses) {
		t.Errorf("polls by id %s: %+v, %v; want instance %s", id, polls, err, in.UUID)
	}
	sv, _, err := f.client.Reports.GetWebinarSurvey(t.Context(), id)
	if err != nil || sv.WebinarUUID != in.UUID || len(sv.SurveyAnswers) != len(in.SurveyResponses) {
		t.Errorf("survey by id %s: %+v, %v; want instance %s", id, sv, err, in.UUID)
	}
}

func TestReportsService_engagementErrors(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	var old string
	for _, w := range f.acct.Webinars {
		for _, in := range w.Instances {
			if in.StartTime.Before(f.acct.Now.AddDate(-1, 0, 0)) {
				old = in.UUID
			}
		}
	}
	if old == "" {
		t.Fatal("no instance older than a year in the demo account")
	}
	for _, tc := range []struct {
		uuid string
		want error
	}{{"99999999999", ErrWebinarNotFound}, {"bm90LWEtd2ViaW5hcg==", ErrWebinarNotFound}, {old, ErrReportTooOld}} {
		if _, _, err := f.client.Reports.GetWebinarQA(t.Context(), tc.uuid); !errors.Is(err, tc.want) {
			t.Errorf("GetWebinarQA(%s) err = %v, want %v", tc.uuid, err, tc.want)
		}
		if _, _, err := f.client.Reports.GetWebinarPolls(t.Context(), tc.uuid); !errors.Is(err, tc.want) {
			t.Errorf("GetWebinarPolls(%s) err = %v, want %v", tc.uuid, err, tc.want)
		}
		if _, _, err := f.client.Reports.GetWebinarSurvey(t.Context(), tc.uuid); !errors.Is(err, tc.want) {
			t.Errorf("GetWebinarSurvey(%s) err = %v, want %v", tc.uuid, err, tc.want)
		}
	}
}

func TestWebinarsService_ListTrackingSources(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	checked := 0
	for _, w := range f.acct.Webinars {
		got, _, err := f.client.Webinars.ListTrackingSources(t.Context(), w.ID)
		if w.Expired {
			if !errors.Is(err, ErrWebinarNotFound) {
				t.Errorf("expired webinar %d: err = %v, want ErrWebinarNotFound", w.ID, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("webinar %d: %v", w.ID, err)
		}
		want := []*TrackingSource{}
		for _, s := range w.TrackingSources {
			want = append(want, &TrackingSource{ID: s.ID, SourceName: s.SourceName, TrackingURL: s.TrackingURL,
				RegistrationCount: s.RegistrationCount, VisitorCount: s.VisitorCount})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tracking sources of %d (-want +got):\n%s", w.ID, diff)
		}
		checked += len(want)
	}
	if checked == 0 {
		t.Error("no tracking source in the demo account")
	}
	if _, _, err := f.client.Webinars.ListTrackingSources(t.Context(), 99999999999); !errors.Is(err, ErrWebinarNotFound) {
		t.Errorf("unknown webinar: err = %v, want ErrWebinarNotFound", err)
	}
}
