package extract

import (
	"encoding/json"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

// The functions below turn Zoom API values into raw rows. They copy what
// Zoom said, without trimming or lower-casing: cleaning is the transform's
// job, so a rule can change and be re-applied to the same raw data.

func userRow(runID string, at time.Time, u *zoom.User) schema.User {
	return schema.User{
		RunID: runID, FetchedAt: at, ID: u.ID, Email: u.Email, FirstName: u.FirstName,
		LastName: u.LastName, DisplayName: u.DisplayName, Type: int32(u.Type), Status: u.Status,
		Timezone: u.Timezone, Dept: u.Dept, CreatedAt: u.CreatedAt,
	}
}

func webinarRow(runID string, at time.Time, w *zoom.Webinar) schema.Webinar {
	row := schema.Webinar{
		RunID: runID, FetchedAt: at, ID: w.ID, UUID: w.UUID, HostID: w.HostID, HostEmail: w.HostEmail,
		Topic: w.Topic, Type: int32(w.Type), StartTime: w.StartTime, Duration: int32(w.Duration),
		Timezone: w.Timezone, Agenda: w.Agenda, CreatedAt: w.CreatedAt, JoinURL: w.JoinURL,
		IsSimulive: w.IsSimulive, ApprovalType: 2,
	}
	if w.Settings != nil {
		row.ApprovalType = int32(w.Settings.ApprovalType)
		row.AutoRecording = w.Settings.AutoRecording
		row.RegistrationType = int32(w.Settings.RegistrationType)
		b, _ := json.Marshal(w.Settings)
		row.Settings = string(b)
	}
	if w.Recurrence != nil {
		b, _ := json.Marshal(w.Recurrence)
		row.Recurrence = string(b)
	}
	return row
}

func questionRows(runID string, at time.Time, webinarID int64, q *zoom.RegistrantQuestions) []schema.RegistrationQuestion {
	var rows []schema.RegistrationQuestion
	for _, x := range q.Questions {
		rows = append(rows, schema.RegistrationQuestion{RunID: runID, FetchedAt: at, WebinarID: webinarID,
			Kind: "standard", Name: x.FieldName, Required: x.Required})
	}
	for _, x := range q.CustomQuestions {
		answers, _ := json.Marshal(x.Answers)
		rows = append(rows, schema.RegistrationQuestion{RunID: runID, FetchedAt: at, WebinarID: webinarID,
			Kind: "custom", Name: x.Title, Type: x.Type, Required: x.Required, Answers: string(answers)})
	}
	return rows
}

func registrantRow(runID string, at time.Time, webinarID int64, r *zoom.Registrant) schema.Registrant {
	return schema.Registrant{
		RunID: runID, FetchedAt: at, WebinarID: webinarID, ID: r.ID, Email: r.Email,
		FirstName: r.FirstName, LastName: r.LastName, Status: r.Status, CreateTime: r.CreateTime, JoinURL: r.JoinURL,
	}
}

func reportRow(runID string, at time.Time, webinarID int64, uuid string, r *zoom.WebinarReport) schema.InstanceReport {
	return schema.InstanceReport{
		RunID: runID, FetchedAt: at, WebinarID: webinarID, UUID: uuid, Type: int32(r.Type), Topic: r.Topic,
		UserName: r.UserName, UserEmail: r.UserEmail, StartTime: r.StartTime, EndTime: r.EndTime,
		Duration: int32(r.Duration), TotalMinutes: int32(r.TotalMinutes), ParticipantsCount: int32(r.ParticipantsCount),
	}
}

func participantRow(runID string, at time.Time, webinarID int64, uuid string, seq int32, p *zoom.Participant) schema.Participant {
	return schema.Participant{
		RunID: runID, FetchedAt: at, WebinarID: webinarID, InstanceUUID: uuid, Seq: seq,
		ID: p.ID, ParticipantUserID: p.ParticipantUserID, UserID: p.UserID, Name: p.Name, UserEmail: p.UserEmail,
		JoinTime: p.JoinTime, LeaveTime: p.LeaveTime, Duration: int32(p.Duration), RegistrantID: p.RegistrantID,
		Status: p.Status, Failover: p.Failover,
	}
}
