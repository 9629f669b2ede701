package extract

import (
	"sync"
	"time"
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
)

// Stage statuses.
const (
	StatusDone        = "done"        // fetched; fetched again only before SettleAfter
	StatusMissing     = "missing"     // Zoom has none (yet); asked again only before SettleAfter
	StatusUnavailable = "unavailable" // Zoom will never give it (report older than a year)
	StatusPending     = "pending"     // not fetched: a daily limit or an error stopped it
	StatusProcessing  = "processing"  // a recording file is still processing
)

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
// stopped or is still processing, or its last fetch came before it settled
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
	return true
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
