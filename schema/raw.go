// Package schema declares the row types of every raw stream and derived
// table of the lake, and where each one lives on disk.
//
// Raw rows are what the Zoom API said, converted to flat typed columns and
// stamped with the run that fetched them. A raw file is never rewritten: a
// later run adds files, and the transform's staging views keep, per natural
// key, the snapshot with the latest fetched_at. Rows of one listing (all the
// registrants of one webinar and status, all the participants of one
// instance) share one fetched_at, so a snapshot is taken whole or not at all.
package schema

import "time"

// User is one row of raw/users: GET /users.
type User struct {
	RunID       string    `parquet:"run_id"`
	FetchedAt   time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	ID          string    `parquet:"id"`
	Email       string    `parquet:"email"`
	FirstName   string    `parquet:"first_name"`
	LastName    string    `parquet:"last_name"`
	DisplayName string    `parquet:"display_name"`
	Type        int32     `parquet:"type"` // 1 Basic, 2 Licensed, 99 None
	Status      string    `parquet:"status"`
	Timezone    string    `parquet:"timezone"`
	Dept        string    `parquet:"dept"`
	CreatedAt   time.Time `parquet:"created_at,timestamp(microsecond)"`
}

// Webinar is one row of raw/webinars: GET /webinars/{webinarId}, with the
// listing's host id when the detail lacks it.
type Webinar struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	ID           int64     `parquet:"id"`
	UUID         string    `parquet:"uuid"`
	HostID       string    `parquet:"host_id"`
	HostEmail    string    `parquet:"host_email"`
	Topic        string    `parquet:"topic"`
	Type         int32     `parquet:"type"` // 5 single, 6 recurring without fixed time, 9 recurring with fixed time
	StartTime    time.Time `parquet:"start_time,timestamp(microsecond)"`
	Duration     int32     `parquet:"duration"` // minutes
	Timezone     string    `parquet:"timezone"`
	Agenda       string    `parquet:"agenda"`
	CreatedAt    time.Time `parquet:"created_at,timestamp(microsecond)"`
	JoinURL      string    `parquet:"join_url"`
	IsSimulive   bool      `parquet:"is_simulive"`
	ApprovalType int32     `parquet:"approval_type"` // 0 auto, 1 manual, 2 no registration
}

// WebinarInstance is one row of raw/webinar_instances: one held session from
// GET /past_webinars/{webinarId}/instances.
type WebinarInstance struct {
	RunID     string    `parquet:"run_id"`
	FetchedAt time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID int64     `parquet:"webinar_id"`
	UUID      string    `parquet:"uuid"`
	StartTime time.Time `parquet:"start_time,timestamp(microsecond)"`
}

// InstanceReport is one row of raw/instance_reports: GET /report/webinars/{uuid}.
// Its start_time..end_time is the instance's span.
type InstanceReport struct {
	RunID             string    `parquet:"run_id"`
	FetchedAt         time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID         int64     `parquet:"webinar_id"`
	UUID              string    `parquet:"uuid"`
	Type              int32     `parquet:"type"`
	Topic             string    `parquet:"topic"`
	UserName          string    `parquet:"user_name"`
	UserEmail         string    `parquet:"user_email"`
	StartTime         time.Time `parquet:"start_time,timestamp(microsecond)"`
	EndTime           time.Time `parquet:"end_time,timestamp(microsecond)"`
	Duration          int32     `parquet:"duration"` // minutes
	TotalMinutes      int32     `parquet:"total_minutes"`
	ParticipantsCount int32     `parquet:"participants_count"`
}

// Registrant is one row of raw/registrants: GET /webinars/{webinarId}/registrants,
// one listing per status. Only first name, last name and email go to the CRM;
// the rest stays in the lake.
type Registrant struct {
	RunID      string    `parquet:"run_id"`
	FetchedAt  time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID  int64     `parquet:"webinar_id"`
	ID         string    `parquet:"id"`
	Email      string    `parquet:"email"` // as Zoom returned it: not trimmed, not lower-cased
	FirstName  string    `parquet:"first_name"`
	LastName   string    `parquet:"last_name"`
	Status     string    `parquet:"status"` // approved, pending, denied
	CreateTime time.Time `parquet:"create_time,timestamp(microsecond)"`
	JoinURL    string    `parquet:"join_url"`
}

// Participant is one row of raw/participants: one join..leave session from
// GET /report/webinars/{uuid}/participants. Seq keeps the report's order.
type Participant struct {
	RunID             string    `parquet:"run_id"`
	FetchedAt         time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID         int64     `parquet:"webinar_id"`
	InstanceUUID      string    `parquet:"instance_uuid"`
	Seq               int32     `parquet:"seq"`
	ID                string    `parquet:"id"`
	ParticipantUserID string    `parquet:"participant_user_id"`
	UserID            string    `parquet:"user_id"`
	Name              string    `parquet:"name"`
	UserEmail         string    `parquet:"user_email"`
	JoinTime          time.Time `parquet:"join_time,timestamp(microsecond)"`
	LeaveTime         time.Time `parquet:"leave_time,timestamp(microsecond)"`
	Duration          int32     `parquet:"duration"` // seconds
	RegistrantID      string    `parquet:"registrant_id"`
	Status            string    `parquet:"status"` // in_meeting, in_waiting_room
	Failover          bool      `parquet:"failover"`
}

// ExtractIssue is one row of raw/extract_issues: something the extractor
// could not fetch and did not treat as a failure (a report older than Zoom
// keeps, a webinar without registration). The transform turns these into
// audit rows.
type ExtractIssue struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID    int64     `parquet:"webinar_id"`
	InstanceUUID string    `parquet:"instance_uuid"`
	Stream       string    `parquet:"stream"`
	Reason       string    `parquet:"reason"` // one of the Reason* constants
	Detail       string    `parquet:"detail"`
}
