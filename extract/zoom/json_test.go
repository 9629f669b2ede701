package zoom

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func copyAll(w io.Writer, r io.Reader) (int64, error) { return io.Copy(w, r) }

func TestWebinar_UnmarshalJSON_tolerant(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, have string
		want       Webinar
	}{
		{"number id", `{"id":97871060099,"uuid":"a==","type":5,"start_time":"2025-07-13T21:00:00Z"}`,
			Webinar{ID: 97871060099, UUID: "a==", Type: 5, StartTime: time.Date(2025, 7, 13, 21, 0, 0, 0, time.UTC)}},
		{"string id, empty time", `{"id":"97871060099","start_time":"","created_at":null}`,
			Webinar{ID: 97871060099}},
		{"occurrences", `{"id":1,"occurrences":[{"occurrence_id":"1648194360000","start_time":"2022-03-25T07:46:00Z","duration":60,"status":"available"},{"occurrence_id":1648194360001}]}`,
			Webinar{ID: 1, Occurrences: []*Occurrence{
				{OccurrenceID: "1648194360000", StartTime: time.Date(2022, 3, 25, 7, 46, 0, 0, time.UTC), Duration: 60, Status: "available"},
				{OccurrenceID: "1648194360001"},
			}}},
		{"settings", `{"id":2,"settings":{"approval_type":1,"question_and_answer":{"enable":true}}}`,
			Webinar{ID: 2, Settings: &WebinarSettings{ApprovalType: 1, QuestionAndAnswer: &QuestionAndAnswer{Enable: true}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got Webinar
			if err := json.Unmarshal([]byte(tc.have), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	var w Webinar
	if err := json.Unmarshal([]byte(`{"id":"abc"}`), &w); err == nil {
		t.Error("non-numeric id decoded without error")
	}
}

func TestParticipant_UnmarshalJSON_millisAndEmpty(t *testing.T) {
	t.Parallel()
	have := `{"id":"","user_id":"16778240","name":"Guest 1","user_email":"","join_time":"2019-02-01T12:34:12.660Z","leave_time":"","duration":2530,"registrant_id":"r1","status":"in_meeting","failover":false}`
	var got Participant
	if err := json.Unmarshal([]byte(have), &got); err != nil {
		t.Fatal(err)
	}
	want := Participant{UserID: "16778240", Name: "Guest 1", JoinTime: time.Date(2019, 2, 1, 12, 34, 12, 660e6, time.UTC),
		Duration: 2530, RegistrantID: "r1", Status: "in_meeting"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWebinarReport_UnmarshalJSON(t *testing.T) {
	t.Parallel()
	have := `{"id":"123","uuid":"u==","type":5,"topic":"T","user_name":"H","user_email":"h@x","start_time":"2025-01-01T10:00:00Z","end_time":"2025-01-01T11:00:00Z","duration":60,"total_minutes":300,"participants_count":7}`
	var got WebinarReport
	if err := json.Unmarshal([]byte(have), &got); err != nil {
		t.Fatal(err)
	}
	want := WebinarReport{ID: 123, UUID: "u==", Type: 5, Topic: "T", UserName: "H", UserEmail: "h@x",
		StartTime: time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC), EndTime: time.Date(2025, 1, 1, 11, 0, 0, 0, time.UTC),
		Duration: 60, TotalMinutes: 300, ParticipantsCount: 7}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
