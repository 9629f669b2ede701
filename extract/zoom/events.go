package zoom

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"time"
)

// EventsService reads Zoom Events (Webinars Plus & Events): the events of
// the account's hubs and their sessions. zoomsync reads it only to tell the
// webinars created in Zoom Events apart, which HubSpot's integration does
// not support: a session of type 2 names its webinar by webinar_id, and
// that webinar is listed by GET /users/{userId}/webinars like any other;
// nothing on the webinar object itself says it belongs to an event.
//
// The API needs a Zoom Events (or Webinars Plus) license and the scope
// zoom_events_basic:read:admin; without them Zoom answers an error
// (ErrMissingScope, ErrNoPermission, a 403) that the caller must tolerate.
type EventsService service

// Event statuses (the event_status_type filter of List). Ended events are
// listed with EventStatusPast, live and coming ones with EventStatusUpcoming,
// unpublished ones with EventStatusDraft.
const (
	EventStatusUpcoming = "upcoming"
	EventStatusPast     = "past"
	EventStatusDraft    = "draft"
)

// Session types of a Zoom Events session.
const (
	SessionTypeMeeting = 0
	SessionTypeWebinar = 2
)

// Event is one Zoom Events event, as GET /zoom_events/events lists it.
type Event struct {
	EventID   string    `json:"event_id"`
	Name      string    `json:"name"`
	EventType string    `json:"event_type"` // SIMPLE_EVENT, CONFERENCE, RECURRING
	Status    string    `json:"status"`     // PUBLISHED, DRAFT, CANCELLED
	HubID     string    `json:"hub_id"`
	Timezone  string    `json:"timezone"`
	StartTime time.Time `json:"start_time"`
	EndTime   time.Time `json:"end_time"`
}

// UnmarshalJSON tolerates "" times.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var aux struct {
		*plain
		StartTime jsonTime `json:"start_time"`
		EndTime   jsonTime `json:"end_time"`
	}
	aux.plain = (*plain)(e)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	e.StartTime, e.EndTime = time.Time(aux.StartTime), time.Time(aux.EndTime)
	return nil
}

// EventListOptions filters GET /zoom_events/events.
type EventListOptions struct {
	// RoleType is "host" (every event the caller hosts: with the account's
	// Webinars Plus & Events API management permission, every hub's) or
	// "attendee".
	RoleType string
	// Status is EventStatusUpcoming, EventStatusPast, EventStatusDraft or
	// "cancelled".
	Status string
	ListOptions
}

// List returns one page of events.
//
// Zoom API: GET /zoom_events/events
func (s *EventsService) List(ctx context.Context, opts *EventListOptions) ([]*Event, *Response, error) {
	q := url.Values{}
	var lo *ListOptions
	if opts != nil {
		if opts.RoleType != "" {
			q.Set("role_type", opts.RoleType)
		}
		if opts.Status != "" {
			q.Set("event_status_type", opts.Status)
		}
		lo = &opts.ListOptions
	}
	lo.addTo(q)
	body, resp, err := requestValue[struct {
		Events []*Event `json:"events"`
	}](ctx, s.client, "GET", "zoom_events/events", q, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Events, resp, nil
}

// ListIter walks every page of List. opts is copied, never changed.
//
// Zoom API: GET /zoom_events/events
func (s *EventsService) ListIter(ctx context.Context, opts *EventListOptions) iter.Seq2[*Event, error] {
	return pagesOf(opts, func(p *EventListOptions) ([]*Event, *Response, error) { return s.List(ctx, p) })
}

// Session is one session of an event. WebinarID is set for a session of
// type 2 (a webinar), MeetingID for one of type 0.
type Session struct {
	SessionID string    `json:"session_id"`
	Name      string    `json:"name"`
	Type      int       `json:"type"`
	WebinarID int64     `json:"webinar_id"`
	MeetingID int64     `json:"meeting_id"`
	StartTime time.Time `json:"start_time"`
	EndTime   time.Time `json:"end_time"`
	Timezone  string    `json:"timezone"`
}

// UnmarshalJSON tolerates string ids and "" times.
func (s *Session) UnmarshalJSON(b []byte) error {
	type plain Session
	var aux struct {
		*plain
		WebinarID jsonInt64 `json:"webinar_id"`
		MeetingID jsonInt64 `json:"meeting_id"`
		StartTime jsonTime  `json:"start_time"`
		EndTime   jsonTime  `json:"end_time"`
	}
	aux.plain = (*plain)(s)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	s.WebinarID, s.MeetingID = int64(aux.WebinarID), int64(aux.MeetingID)
	s.StartTime, s.EndTime = time.Time(aux.StartTime), time.Time(aux.EndTime)
	return nil
}

// ListSessions returns the sessions of an event. The endpoint is not
// paginated.
//
// Zoom API: GET /zoom_events/events/{eventId}/sessions
func (s *EventsService) ListSessions(ctx context.Context, eventID string) ([]*Session, *Response, error) {
	body, resp, err := requestValue[struct {
		Sessions []*Session `json:"sessions"`
	}](ctx, s.client, "GET", "zoom_events/events/"+url.PathEscape(eventID)+"/sessions", nil, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Sessions, resp, nil
}
