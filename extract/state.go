package extract

import (
	"sync"
	"time"

	"github.com/zoomsync/zoomsync/schema"
)

// Stage names one fetch of one object: the registrants of a webinar, the
// report and participants of an instance, its recording… Its state says
// when it was fetched and until when Zoom may still change it.
type Stage struct {
	Object string // "webinar" or "instance"
	ID     string // webinar id or instance uuid
	Name   string // one of the Stage* constants
}

// Stage names.
const (
	StageDetail      = "detail"      // webinar: GET /webinars/{id}, its questions and panelists
	StageRegistrants = "registrants" // webinar: the three registrant listings
	StageInstances   = "instances"   // webinar: GET /past_webinars/{id}/instances
	StageReport      = "report"      // instance: report and participants
	StageAbsentees   = "absentees"   // instance
	StageRecording   = "recording"   // instance: recording, files and transcripts
	// The engagement stages (issue 11, engagement.go).
	StageQA              = "qa"               // instance: GET /report/webinars/{uuid}/qa
	StagePolls           = "polls"            // instance: GET /report/webinars/{uuid}/polls
	StageSurvey          = "survey"           // instance: GET /report/webinars/{uuid}/survey
	StageTrackingSources = "tracking_sources" // webinar: GET /webinars/{id}/tracking_sources
)

// Stage statuses.
const (
	StatusDone        = "done"        // fetched; fetched again only before SettleAfter
	StatusMissing     = "missing"     // Zoom has none (yet); asked again only before SettleAfter
	StatusUnavailable = "unavailable" // Zoom will never give it (report older than a year)
	StatusPending     = "pending"     // not fetched: a daily limit or an error stopped it
	StatusProcessing  = "processing"  // a recording file is still processing
	// StatusLost: the raw file that held the stage's rows is missing or
	// damaged (the lake manifest's verification says so). The stage is
	// fetched again whatever its SettleAfter; its Detail (the facts the
	// run keeps) stays until a fetch replaces the state as usual.
	StatusLost = "lost"
)

// StagesOf returns the names of the stages whose rows a raw stream holds:
// a lost file of that stream (and run) makes those stages lost. The users
// stream backs no stage (every run lists the users again); the extract
// issues are written beside every stage, so they back them all.
func StagesOf(stream string) []string {
	switch stream {
	case schema.StreamWebinars, schema.StreamOccurrences, schema.StreamQuestions, schema.StreamPanelists:
		return []string{StageDetail}
	case schema.StreamRegistrants:
		return []string{StageRegistrants}
	case schema.StreamWebinarInstances:
		return []string{StageInstances}
	case schema.StreamInstanceReports, schema.StreamParticipants:
		return []string{StageReport}
	case schema.StreamAbsentees:
		return []string{StageAbsentees}
	case schema.StreamRecordings, schema.StreamRecordingFiles, schema.StreamTranscripts:
		return []string{StageRecording}
	case schema.StreamWebinarQuestions:
		return []string{StageQA}
	case schema.StreamPollAnswers:
		return []string{StagePolls}
	case schema.StreamSurveyAnswers:
		return []string{StageSurvey}
	case schema.StreamTrackingSources:
		return []string{StageTrackingSources}
	case schema.StreamExtractIssues:
		return []string{StageDetail, StageRegistrants, StageInstances, StageReport, StageAbsentees, StageRecording,
			StageQA, StagePolls, StageSurvey, StageTrackingSources}
	}
	return nil
}

// StageState is what the last fetch of a stage left.
type StageState struct {
	Status      string
	FetchedAt   time.Time
	SettleAfter time.Time // Zoom may change the data until then
	RunID       string
	Detail      string // stage-specific facts, as JSON
}

// State is the sync state the extractor reads and updates: the per-webinar
// and per-instance cursors that make runs incremental. It is safe for
// concurrent use. pipelines loads it from and saves it to the sync_state
// table.
type State struct {
	mu      sync.Mutex
	m       map[Stage]StageState
	changed map[Stage]StageState
}

// NewState wraps what earlier runs recorded; nil means a first run.
func NewState(m map[Stage]StageState) *State {
	if m == nil {
		m = map[Stage]StageState{}
	}
	return &State{m: m, changed: map[Stage]StageState{}}
}

// Get returns the state of a stage.
func (s *State) Get(k Stage) (StageState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok
}

// Set records a new state of a stage.
func (s *State) Set(k Stage, v StageState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	s.changed[k] = v
}

// Needs reports whether a stage must be fetched now: it never was, it was
// stopped, lost or is still processing, or its last fetch came before it settled
// (Zoom may have changed it since, even when the settle time has passed).
func (s *State) Needs(k Stage, now time.Time) bool {
	v, ok := s.Get(k)
	if !ok {
		return true
	}
	switch v.Status {
	case StatusDone, StatusMissing:
		return v.FetchedAt.Before(v.SettleAfter)
	case StatusUnavailable:
		return false
	}
	return true // pending, processing, lost
}

// Lost reports whether a stage's data was lost and must be fetched again.
func (s *State) Lost(k Stage) bool {
	v, ok := s.Get(k)
	return ok && v.Status == StatusLost
}

// MarkLost records that the raw file holding a stage's rows is gone: the
// stage keeps its facts (Detail) but is fetched again. A stage without a
// state is left alone (it is fetched anyway).
func (s *State) MarkLost(k Stage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return
	}
	v.Status = StatusLost
	s.m[k] = v
	s.changed[k] = v
}

// discardChanges forgets the stages set since NewState.
func (s *State) discardChanges() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.changed)
}

// Changes returns the stages set since NewState.
func (s *State) Changes() map[Stage]StageState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Stage]StageState, len(s.changed))
	for k, v := range s.changed {
		out[k] = v
	}
	return out
}

// Known returns the ids of the objects of a kind that have a state for a stage.
func (s *State) Known(object, stage string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.m {
		if k.Object == object && k.Name == stage {
			out = append(out, k.ID)
		}
	}
	return out
}

// Stages returns every stage the state knows.
func (s *State) Stages() []Stage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Stage, 0, len(s.m))
	for k := range s.m {
		out = append(out, k)
	}
	return out
}
