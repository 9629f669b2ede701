package schema

import "time"

// Activity tables under out/ (DESIGN.md, "What the CRM receives":
// Activity). Only persons eligible for activity appear in them (no CRM user,
// no excluded domain, no secondary email, no deleted contact): the loader
// sends them as they are. Every row carries a deterministic id derived from
// its natural key, so a re-run names the same CRM object.
const (
	TableRegistrationEvents = "registration_events"
	TableAttendanceEvents   = "attendance_events"
	TableRecordingEvents    = "recording_events"
	TableMarketingEvents    = "marketing_events"
)

// RegistrationEvent is one row of out/registration_events: a person's
// counted registration (approved or pending) for a webinar. EventID is
// "reg-" and the first 32 hex digits of sha256("<webinar_id>|<email>").
type RegistrationEvent struct {
	EventID     string    `parquet:"event_id,optional" json:"event_id"`
	Email       string    `parquet:"email,optional" json:"email"`
	WebinarID   int64     `parquet:"webinar_id,optional" json:"webinar_id"`
	WebinarName string    `parquet:"webinar_name,optional" json:"webinar_name"`
	CreateTime  time.Time `parquet:"create_time,optional,timestamp(microsecond)" json:"create_time"`
}

// AttendanceEvent is one row of out/attendance_events: a person's
// attendance of one held instance, from the attendance view (first join,
// last leave as Zoom gave them; minutes and percent present of the union of
// the sessions clipped to the instance's span, rounded to 2 decimals).
// EventID is "att-" and the first 32 hex digits of
// sha256("<instance_uuid>|<email>").
type AttendanceEvent struct {
	EventID        string    `parquet:"event_id,optional" json:"event_id"`
	Email          string    `parquet:"email,optional" json:"email"`
	WebinarID      int64     `parquet:"webinar_id,optional" json:"webinar_id"`
	WebinarName    string    `parquet:"webinar_name,optional" json:"webinar_name"`
	InstanceUUID   string    `parquet:"instance_uuid,optional" json:"instance_uuid"`
	Date           string    `parquet:"date,optional" json:"date"` // the instance's start day, YYYY-MM-DD (UTC)
	StartTime      time.Time `parquet:"start_time,optional,timestamp(microsecond)" json:"start_time"`
	JoinTime       time.Time `parquet:"join_time,optional,timestamp(microsecond)" json:"join_time"`
	LeaveTime      time.Time `parquet:"leave_time,optional,timestamp(microsecond)" json:"leave_time"`
	MinutesPresent float64   `parquet:"minutes_present,optional" json:"minutes_present"`
	PercentPresent float64   `parquet:"percent_present,optional" json:"percent_present"`
}

// RecordingEvent is one row of out/recording_events: the cloud recording of
// one held instance whose MP4 is ready and that eligible persons attended.
// RecordingURL is the MP4's play URL (the recording's share URL when the
// file has none); Transcript is the text of the latest transcript snapshot
// (the audio transcript, else the closed captions), one "Speaker: text"
// line per cue, empty when there is none. EventID is "rec-" and the first
// 32 hex digits of sha256(instance_uuid): it keys the timeline events and
// the call record of the recording.
type RecordingEvent struct {
	EventID         string    `parquet:"event_id,optional" json:"event_id"`
	InstanceUUID    string    `parquet:"instance_uuid,optional" json:"instance_uuid"`
	WebinarID       int64     `parquet:"webinar_id,optional" json:"webinar_id"`
	Topic           string    `parquet:"topic,optional" json:"topic"`
	StartTime       time.Time `parquet:"start_time,optional,timestamp(microsecond)" json:"start_time"`
	DurationMinutes int32     `parquet:"duration_minutes,optional" json:"duration_minutes"`
	RecordingURL    string    `parquet:"recording_url,optional" json:"recording_url"`
	Transcript      string    `parquet:"transcript,optional" json:"transcript"`
	Attendees       []string  `parquet:"attendees,list" json:"attendees"`
}

// MarketingEvent is one row of out/marketing_events: one held instance of a
// webinar. ExternalEventID is "zoom-" and the first 32 hex digits of
// sha256(instance_uuid) (Zoom's uuids hold / + =, which a URL path cannot
// carry as they are). Registrants counts the eligible persons registered
// for the webinar, Attendees those who attended this instance (who they are:
// the registration events of WebinarID and the attendance events of
// InstanceUUID, which the load records on the event). EndTime is the
// report's end, or the start plus the webinar's duration without a report.
// SessionID names the instance's session: the uuid of the session's first
// instance, the instance's own uuid unless a host drop split the session
// into several instances (transform/sql/052_sessions.sql).
type MarketingEvent struct {
	ExternalEventID string    `parquet:"external_event_id,optional" json:"external_event_id"`
	InstanceUUID    string    `parquet:"instance_uuid,optional" json:"instance_uuid"`
	WebinarID       int64     `parquet:"webinar_id,optional" json:"webinar_id"`
	Name            string    `parquet:"name,optional" json:"name"`
	StartTime       time.Time `parquet:"start_time,optional,timestamp(microsecond)" json:"start_time"`
	EndTime         time.Time `parquet:"end_time,optional,timestamp(microsecond)" json:"end_time"`
	WebinarURL      string    `parquet:"webinar_url,optional" json:"webinar_url"`
	Registrants     int64     `parquet:"registrants,optional" json:"registrants"`
	Attendees       int64     `parquet:"attendees,optional" json:"attendees"`
	SessionID       string    `parquet:"session_id,optional" json:"session_id"`
}
