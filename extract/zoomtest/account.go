// Package zoomtest is a stateful simulator of the Zoom REST API v2 (webinars, registrants,
// reports, recordings; Q&A, polls, surveys and registration tracking sources; Zoom Events'
// events and sessions) and a seeded,
// deterministic generator of the account it serves.
//
// The simulator is a real HTTP server on loopback, shaped like net/http/httptest: NewServer
// starts it, Server.URL is the base, the API lives under URL+"/v2" and the token endpoint at
// URL+"/oauth/token". It speaks the contract of shared/reference/zoom-api.md: Server-to-Server
// OAuth, opaque expiring page tokens, per-category rate limits with Zoom's 429 bodies and
// headers, UUID double-encoding, Zoom's error bodies and codes. Routes are http.ServeMux
// patterns (routes.go); every request takes one path: authenticate, route, fault, rate
// limit, handler, reply.
//
// Faults are injected with WithFault, or from a spec with ParseFaults (`zoomsync sim zoom
// --faults SPEC`): 429 storms with and without Retry-After (429), daily 429s (daily-429), 5xx
// bursts (5xx), latency, stalls past the client's timeout (stall), access tokens expiring,
// mid-listing or not (expire-token), expired page tokens (expired-page-token), malformed
// pages (malformed), connection resets before the answer (reset) and in the middle of the
// body (reset-mid-body). WithLatency adds a seeded per-request network delay with jitter.
// Tests wait on the server (WaitStalled, WaitIdle), not on the clock.
//
// Generate builds the account from a seed; GenConfig.Scale multiplies it (`--scale K`).
// MinCalls is the fewest calls a first extraction of it needs; EngagementCalls what the
// engagement streams (Q&A, polls, surveys, tracking sources) add to it.
//
// The package shares no code with the client it fakes (extract/zoom): every JSON type is
// declared here from Zoom's OpenAPI spec, so a mistake in one cannot hide in both.
//
// Real time drives tokens, page tokens and rate limits; Account.Now drives data semantics
// (which webinars are upcoming, how old a report is).
package zoomtest

import (
	"strings"
	"time"
)

// Account is everything the simulator serves. Once a server uses it, only the server
// changes it: POST /webinars/{webinarId}/registrants appends to Webinar.Registrants.
type Account struct {
	ID       string    // account id, "demo-account" for generated accounts
	Now      time.Time // the account's clock: data semantics (upcoming, report age) are relative to it
	Users    []*User
	Webinars []*Webinar // every webinar incl. expired and upcoming ones
	// Meetings are plain (non-webinar) meetings the hosts held. Only
	// GET /report/users/{userId}/meetings lists them, so that a client must
	// filter webinars out of that report by type.
	Meetings []*Meeting
	// Events are the account's Zoom Events (events.go); their webinar sessions are webinars
	// of Webinars. NoZoomEventsScope makes the Zoom Events routes answer 400/4711, as for an
	// app without the scope (or an account without the license).
	Events            []*ZoomEvent
	NoZoomEventsScope bool
}

// User is a Zoom user of the account. Pending users have no ID.
type User struct {
	ID          string
	Email       string
	FirstName   string
	LastName    string
	DisplayName string
	Type        int    // 1 basic, 2 licensed
	Status      string // active | pending
	Timezone    string
	Dept        string
	CreatedAt   time.Time
}

// Webinar is one webinar and everything recorded about it.
type Webinar struct {
	ID           int64
	UUID         string // the webinar's current uuid; equal to the instance uuid for a webinar held once
	HostID       string
	HostEmail    string
	Topic        string
	Type         int // 5 single, 6 recurring without fixed time, 9 recurring with fixed time
	StartTime    time.Time
	Duration     int // scheduled minutes
	Timezone     string
	Agenda       string
	CreatedAt    time.Time
	JoinURL      string
	IsSimulive   bool
	RecordFileID string // set for simulive webinars
	ApprovalType int    // 0 auto approve, 1 manual approve, 2 no registration
	// Expired webinars are no longer listed by GET /users/{userId}/webinars and answer
	// 404/3001 on GET /webinars/{webinarId} (and its registrants), as Zoom does, but stay
	// reachable by id or instance uuid for /past_webinars and /report endpoints.
	Expired     bool
	Occurrences []Occurrence // type 9 only
	Registrants []*Registrant
	Instances   []*Instance // held (ended) instances, in start order
	// Questions are the standard registration fields the form asks for
	// (GET /webinars/{webinarId}/registrants/questions); first_name and email
	// are always asked and required, so they are not listed.
	Questions []RegistrationQuestion
	// CustomQuestions are the webinar's own registration questions. When nil,
	// the questions endpoint derives optional ones from the titles the
	// registrants answered.
	CustomQuestions []RegistrationCustomQuestion
	// AutoRecording is settings.auto_recording: cloud, local or none; "" is
	// served as "cloud". Only cloud webinars have instances with a Recording.
	AutoRecording string
	// Panelists are the webinar's panelists (GET /webinars/{webinarId}/panelists).
	Panelists []Panelist
	// Survey is the webinar's post-webinar survey, nil when it has none; the answers
	// are per instance (Instance.SurveyResponses).
	Survey *Survey
	// TrackingSources are the webinar's registration tracking sources
	// (GET /webinars/{webinarId}/tracking_sources).
	TrackingSources []TrackingSource
}

// RegistrationQuestion is a standard registration field of a webinar's form:
// last_name, address, city, country, zip, state, phone, industry, org,
// job_title, purchasing_time_frame, role_in_purchase_process,
// no_of_employees or comments.
type RegistrationQuestion struct {
	FieldName string
	Required  bool
}

// RegistrationCustomQuestion is a custom question of a webinar's
// registration form. Type is short, single_radio, single_dropdown or
// multiple; Answers are the choices (none for short).
type RegistrationCustomQuestion struct {
	Title    string
	Type     string
	Required bool
	Answers  []string
}

// Occurrence is one scheduled occurrence of a type 9 webinar.
type Occurrence struct {
	ID        string // epoch milliseconds of the scheduled start
	StartTime time.Time
	Duration  int    // minutes
	Status    string // available | deleted
}

// Registrant is one registration of a person for a webinar. Email is stored exactly as
// typed, so it may carry upper case, surrounding spaces, or be invalid.
type Registrant struct {
	ID              string
	Email           string
	FirstName       string
	LastName        string
	Status          string // approved | pending | denied
	CreateTime      time.Time
	JoinURL         string
	Org             string
	JobTitle        string
	Country         string
	CustomQuestions []CustomAnswer
}

// CustomAnswer is a registrant's answer to a custom registration question.
type CustomAnswer struct{ Title, Value string }

// Instance is one held session of a webinar: one uuid, one report.
type Instance struct {
	UUID         string
	StartTime    time.Time // report start_time
	EndTime      time.Time // report end_time
	Participants []*Participant
	// Resumes is the uuid of the instance this one continues after a host drop (Zoom ended
	// that instance when the host's connection dropped and started this one minutes later,
	// same webinar id): the two are one session. "" for an instance that starts a session.
	Resumes string
	// Recording is the instance's cloud recording; nil when it has none
	// (GET /meetings/{meetingId}/recordings answers 404/3301).
	Recording *Recording
	// QA is the instance's Q&A report, one entry per asker (GET /report/webinars/{webinarId}/qa).
	QA []*QAAsker
	// Polls are the polls launched in the instance; PollResponses the answers, one entry
	// per participant who answered (GET /report/webinars/{webinarId}/polls).
	Polls         []*Poll
	PollResponses []*PollResponse
	// SurveyResponses answer the webinar's Survey after this instance
	// (GET /report/webinars/{webinarId}/survey).
	SurveyResponses []*SurveyResponse
}

// Participant is one join/leave row of the participants report.
type Participant struct {
	ID           string // Zoom user id when signed in, else ""
	UserID       string // per-join id, valid within the webinar
	Name         string
	Email        string // "" for guests
	JoinTime     time.Time
	LeaveTime    time.Time
	Duration     int // seconds of this row
	RegistrantID string
	Status       string // in_meeting | in_waiting_room
	Failover     bool
}

// User returns the user with the given id or (case-insensitive) email, or nil.
func (a *Account) User(idOrEmail string) *User {
	for _, u := range a.Users {
		if u.ID != "" && u.ID == idOrEmail {
			return u
		}
	}
	for _, u := range a.Users {
		if strings.EqualFold(u.Email, idOrEmail) {
			return u
		}
	}
	return nil
}

// Webinar returns the webinar with the given id, or nil.
func (a *Account) Webinar(id int64) *Webinar {
	for _, w := range a.Webinars {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// Instance returns the held instance with the given uuid and its webinar, or nils.
func (a *Account) Instance(uuid string) (*Webinar, *Instance) {
	for _, w := range a.Webinars {
		for _, in := range w.Instances {
			if in.UUID == uuid {
				return w, in
			}
		}
	}
	return nil, nil
}

// HeldInstances counts the held instances of all webinars.
func (a *Account) HeldInstances() int {
	n := 0
	for _, w := range a.Webinars {
		n += len(w.Instances)
	}
	return n
}
