package schema

import (
	"fmt"
	"path/filepath"
)

// Raw stream names, which are also their folders under raw/.
const (
	StreamUsers            = "users"
	StreamWebinars         = "webinars"
	StreamWebinarInstances = "webinar_instances"
	StreamInstanceReports  = "instance_reports"
	StreamRegistrants      = "registrants"
	StreamParticipants     = "participants"
	StreamExtractIssues    = "extract_issues"
	StreamOccurrences      = "webinar_occurrences"
	StreamQuestions        = "registration_questions"
	StreamPanelists        = "panelists"
	StreamAbsentees        = "absentees"
	StreamRecordings       = "recordings"
	StreamRecordingFiles   = "recording_files"
	StreamTranscripts      = "transcripts"
	// Engagement beyond attendance (issue 11, engagement.go).
	StreamWebinarQuestions = "webinar_questions"
	StreamPollAnswers      = "poll_answers"
	StreamSurveyAnswers    = "survey_answers"
	StreamTrackingSources  = "tracking_sources"
	// CRM snapshot streams, written by the sync before the transform.
	StreamCRMUsers        = "crm_users"
	StreamCRMContactsSeen = "crm_contacts_seen"
)

// RawStreams lists every raw stream with a zero row of its type, in the order
// the extractor fetches them, then the CRM snapshot streams of the sync.
var RawStreams = []struct {
	Name string
	Row  any
}{
	{StreamUsers, User{}},
	{StreamWebinars, Webinar{}},
	{StreamWebinarInstances, WebinarInstance{}},
	{StreamInstanceReports, InstanceReport{}},
	{StreamRegistrants, Registrant{}},
	{StreamParticipants, Participant{}},
	{StreamExtractIssues, ExtractIssue{}},
	{StreamOccurrences, WebinarOccurrence{}},
	{StreamQuestions, RegistrationQuestion{}},
	{StreamPanelists, Panelist{}},
	{StreamAbsentees, Absentee{}},
	{StreamRecordings, Recording{}},
	{StreamRecordingFiles, RecordingFile{}},
	{StreamTranscripts, TranscriptCue{}},
	{StreamWebinarQuestions, WebinarQuestion{}},
	{StreamPollAnswers, PollAnswer{}},
	{StreamSurveyAnswers, SurveyAnswer{}},
	{StreamTrackingSources, TrackingSource{}},
	{StreamCRMUsers, CRMUser{}},
	{StreamCRMContactsSeen, CRMContactSeen{}},
}

// Derived (load-ready) tables under out/.
const (
	TableContacts = "contacts"
	TableAudit    = "audit"
)

// Lake names the paths of a data directory.
type Lake struct {
	Dir string
}

// RawGlob is the glob of every part file of a raw stream, all runs.
func (l Lake) RawGlob(stream string) string {
	return filepath.Join(l.Dir, "raw", stream, "*", "*.parquet")
}

// RawPart is the path of one part file of a stream written by a run.
func (l Lake) RawPart(stream, runID string, n int) string {
	return filepath.Join(l.Dir, "raw", stream, "run="+runID, fmt.Sprintf("part-%d.parquet", n))
}

// Out is the path of a load-ready table.
func (l Lake) Out(table string) string {
	return filepath.Join(l.Dir, "out", table+".parquet")
}

// DB is the path of the DuckDB catalog with the views, state and runs.
func (l Lake) DB() string {
	return filepath.Join(l.Dir, "zoomsync.duckdb")
}

// LockFile is the path of the run lock of the data directory.
func (l Lake) LockFile() string {
	return filepath.Join(l.Dir, ".lock")
}
