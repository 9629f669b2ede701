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
	// AutoRecording is local, cloud or none.
	AutoRecording string `parquet:"auto_recording"`
	// RegistrationType (type 9): 1 once for all, 2 per occurrence, 3 once choosing occurrences.
	RegistrationType int32 `parquet:"registration_type"`
	// Settings and Recurrence are the API's objects as JSON, for notebooks.
	Settings   string `parquet:"settings"`
	Recurrence string `parquet:"recurrence"`
	// Listed is false for a webinar found through reports only: Zoom no
	// longer lists it (expired), so its detail and registrants are gone.
	Listed bool `parquet:"listed"`
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

// WebinarOccurrence is one row of raw/webinar_occurrences: an occurrence of
// a recurring webinar with a fixed time (type 9), from GET /webinars/{id}.
type WebinarOccurrence struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID    int64     `parquet:"webinar_id"`
	OccurrenceID string    `parquet:"occurrence_id"`
	StartTime    time.Time `parquet:"start_time,timestamp(microsecond)"`
	Duration     int32     `parquet:"duration"` // minutes
	Status       string    `parquet:"status"`   // available, deleted
}

// RegistrationQuestion is one row of raw/registration_questions: a standard
// field or a custom question of a webinar's registration form.
type RegistrationQuestion struct {
	RunID     string    `parquet:"run_id"`
	FetchedAt time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID int64     `parquet:"webinar_id"`
	Kind      string    `parquet:"kind"` // standard or custom
	Name      string    `parquet:"name"` // field_name of a standard field, title of a custom question
	Type      string    `parquet:"type"` // custom: short, single_radio, single_dropdown, multiple
	Required  bool      `parquet:"required"`
	Answers   string    `parquet:"answers"` // custom: the choices, as a JSON array
}

// Panelist is one row of raw/panelists: GET /webinars/{webinarId}/panelists.
type Panelist struct {
	RunID     string    `parquet:"run_id"`
	FetchedAt time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID int64     `parquet:"webinar_id"`
	ID        string    `parquet:"id"`
	Name      string    `parquet:"name"`
	Email     string    `parquet:"email"`
}

// Absentee is one row of raw/absentees: an approved registrant who did not
// attend one instance, GET /past_webinars/{uuid}/absentees.
type Absentee struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID    int64     `parquet:"webinar_id"`
	InstanceUUID string    `parquet:"instance_uuid"`
	RegistrantID string    `parquet:"registrant_id"`
	Email        string    `parquet:"email"`
	FirstName    string    `parquet:"first_name"`
	LastName     string    `parquet:"last_name"`
	CreateTime   time.Time `parquet:"create_time,timestamp(microsecond)"`
}

// Recording is one row of raw/recordings: the cloud recording of one
// instance, GET /meetings/{uuid}/recordings.
type Recording struct {
	RunID          string    `parquet:"run_id"`
	FetchedAt      time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID      int64     `parquet:"webinar_id"`
	InstanceUUID   string    `parquet:"instance_uuid"`
	HostID         string    `parquet:"host_id"`
	Topic          string    `parquet:"topic"`
	StartTime      time.Time `parquet:"start_time,timestamp(microsecond)"`
	Duration       int32     `parquet:"duration"` // minutes
	TotalSize      int64     `parquet:"total_size"`
	RecordingCount int32     `parquet:"recording_count"`
	ShareURL       string    `parquet:"share_url"`
}

// RecordingFile is one row of raw/recording_files: one file of a recording.
// The download URL is kept (it needs a token to use); no token is.
type RecordingFile struct {
	RunID          string    `parquet:"run_id"`
	FetchedAt      time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID      int64     `parquet:"webinar_id"`
	InstanceUUID   string    `parquet:"instance_uuid"`
	ID             string    `parquet:"id"`
	FileType       string    `parquet:"file_type"` // MP4, M4A, TRANSCRIPT, CC, TIMELINE, CHAT, CSV, SUMMARY
	FileExtension  string    `parquet:"file_extension"`
	FileSize       int64     `parquet:"file_size"`
	RecordingType  string    `parquet:"recording_type"`
	RecordingStart time.Time `parquet:"recording_start,timestamp(microsecond)"`
	RecordingEnd   time.Time `parquet:"recording_end,timestamp(microsecond)"`
	Status         string    `parquet:"status"` // completed; anything else is not ready
	Ready          bool      `parquet:"ready"`
	PlayURL        string    `parquet:"play_url"`
	DownloadURL    string    `parquet:"download_url"`
}

// TranscriptCue is one row of raw/transcripts: a timed cue of a transcript
// (audio_transcript) or closed-caption file, parsed from its WebVTT.
type TranscriptCue struct {
	RunID        string    `parquet:"run_id"`
	FetchedAt    time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	WebinarID    int64     `parquet:"webinar_id"`
	InstanceUUID string    `parquet:"instance_uuid"`
	FileID       string    `parquet:"file_id"`
	FileType     string    `parquet:"file_type"` // TRANSCRIPT or CC
	Seq          int32     `parquet:"seq"`
	StartMS      int64     `parquet:"start_ms"`
	EndMS        int64     `parquet:"end_ms"`
	Speaker      string    `parquet:"speaker"`
	Text         string    `parquet:"text"`
}

// CRMUser is one row of raw/crm_users: a user of the CRM account (HubSpot
// GET /settings/v3/users), fetched at every sync before the transform. Their
// emails never become contacts.
type CRMUser struct {
	RunID     string    `parquet:"run_id"`
	FetchedAt time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	ID        string    `parquet:"id"`
	Email     string    `parquet:"email"` // as the CRM returned it
	FirstName string    `parquet:"first_name"`
	LastName  string    `parquet:"last_name"`
}

// CRMContactSeen is one row of raw/crm_contacts_seen: what the CRM said
// about one candidate email (HubSpot batch read by email, live then
// archived=true), fetched by the sync's CRM snapshot stage. The transform
// keeps, per email, the latest row.
type CRMContactSeen struct {
	RunID     string    `parquet:"run_id"`
	FetchedAt time.Time `parquet:"fetched_at,timestamp(microsecond)"`
	Email     string    `parquet:"email"` // lower-case, trimmed: a person
	// State is one of CRMContactLive, CRMContactArchived, CRMContactNotFound.
	State     string `parquet:"state"`
	ContactID string `parquet:"contact_id"` // empty when not found
	// PrimaryEmail is the contact's email; Secondary is true when Email is
	// one of its hs_additional_emails instead.
	PrimaryEmail string `parquet:"primary_email"`
	Secondary    bool   `parquet:"secondary"`
}

// States of a CRMContactSeen row.
const (
	CRMContactLive     = "live"      // a live contact has the email (primary or secondary)
	CRMContactArchived = "archived"  // only an archived (deleted, restorable) contact has it
	CRMContactNotFound = "not_found" // no contact, live or archived: never created, or GDPR-deleted
)
