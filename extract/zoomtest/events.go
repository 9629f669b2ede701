package zoomtest

import (
	"net/http"
	"net/url"
	"time"
)

// ZoomEvent is an event of Zoom Events (Webinars Plus & Events): account → hub → event →
// sessions. A session of type 2 is a webinar of Account.Webinars (WebinarID), listed by
// GET /users/{userId}/webinars like any other and indistinguishable from one there: only
// the sessions listing of GET /zoom_events/events/{eventId}/sessions tells it apart.
type ZoomEvent struct {
	ID        string
	HubID     string
	Name      string
	Type      string // SIMPLE_EVENT (one session), CONFERENCE (several), RECURRING
	Status    string // PUBLISHED, DRAFT, CANCELLED
	HostID    string
	Timezone  string
	StartTime time.Time // the first session's start
	EndTime   time.Time // the last session's end
	Sessions  []EventSession
}

// EventSession is one session of a ZoomEvent.
type EventSession struct {
	ID        string
	Name      string
	Type      int   // 0 meeting, 2 webinar, 4 neither (a lounge, an in-person slot)
	WebinarID int64 // type 2: the webinar the session runs as
	MeetingID int64 // type 0
	StartTime time.Time
	EndTime   time.Time
}

// EventWebinarIDs returns the ids of the webinars created in Zoom Events: the webinar
// sessions of every event.
func (a *Account) EventWebinarIDs() map[int64]bool {
	out := map[int64]bool{}
	for _, e := range a.Events {
		for _, s := range e.Sessions {
			if s.Type == 2 && s.WebinarID != 0 {
				out[s.WebinarID] = true
			}
		}
	}
	return out
}

// eventsScope is the scope the Zoom Events routes need; Account.NoZoomEventsScope makes
// them answer as Zoom does for a token without it.
const eventsScope = "zoom_events_basic:read:admin"

func (s *Server) eventsScopeMissing() (int, any) {
	return apiErr(http.StatusBadRequest, 4711, "Invalid access token, does not contain scopes:[%s].", eventsScope)
}

// --- GET /zoom_events/events ---

type eventJSON struct {
	EventID   string `json:"event_id"`
	Name      string `json:"name"`
	EventType string `json:"event_type"`
	Status    string `json:"status"`
	HubID     string `json:"hub_id"`
	Timezone  string `json:"timezone"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
}

type eventsPage struct {
	TotalRecords  int         `json:"total_records"`
	NextPageToken string      `json:"next_page_token"`
	Events        []eventJSON `json:"events"`
}

// listEvents implements GET /zoom_events/events: role_type host (the default; a
// Server-to-Server app with the Webinars Plus & Events API management permission hosts
// every hub, so every event of the account) or attendee (none: nobody of the account
// bought a ticket); event_status_type upcoming (the default: events not yet ended), past,
// draft or cancelled (for attendee only upcoming and past). Paginated like every listing.
func (s *Server) listEvents(c *call) (int, any) {
	if s.acct.NoZoomEventsScope {
		return s.eventsScopeMissing()
	}
	role := c.query("role_type")
	switch role {
	case "":
		role = "host"
	case "host", "attendee":
	default:
		return validationFailed("role_type")
	}
	status := c.query("event_status_type")
	switch status {
	case "":
		status = "upcoming"
	case "upcoming", "past":
	case "draft", "cancelled":
		if role == "attendee" {
			return validationFailed("event_status_type")
		}
	default:
		return validationFailed("event_status_type")
	}
	var list []*ZoomEvent
	for _, e := range s.acct.Events {
		if role == "host" && eventStatus(e, s.acct.Now) == status {
			list = append(list, e)
		}
	}
	lo, hi, env, st, eb := s.page(c, "events|"+role+"|"+status, len(list))
	if st != 0 {
		return st, eb
	}
	out := eventsPage{TotalRecords: env.TotalRecords, NextPageToken: env.NextPageToken, Events: []eventJSON{}}
	for _, e := range list[lo:hi] {
		out.Events = append(out.Events, eventJSON{EventID: e.ID, Name: e.Name, EventType: e.Type, Status: e.Status,
			HubID: e.HubID, Timezone: e.Timezone, StartTime: zt(e.StartTime), EndTime: zt(e.EndTime)})
	}
	return http.StatusOK, out
}

// eventStatus is the event_status_type an event is listed under at now.
func eventStatus(e *ZoomEvent, now time.Time) string {
	switch {
	case e.Status == "DRAFT":
		return "draft"
	case e.Status == "CANCELLED":
		return "cancelled"
	case e.EndTime.After(now):
		return "upcoming"
	}
	return "past"
}

// --- GET /zoom_events/events/{eventId}/sessions ---

type sessionJSON struct {
	SessionID string `json:"session_id"`
	Name      string `json:"name"`
	Type      int    `json:"type"`
	WebinarID int64  `json:"webinar_id,omitempty"`
	MeetingID int64  `json:"meeting_id,omitempty"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	Timezone  string `json:"timezone"`
}

type sessionsJSON struct {
	TotalRecords int           `json:"total_records"`
	Sessions     []sessionJSON `json:"sessions"`
}

// listEventSessions implements GET /zoom_events/events/{eventId}/sessions (not
// paginated). An unknown event answers 404 code 2002 "Event not found".
func (s *Server) listEventSessions(c *call) (int, any) {
	if s.acct.NoZoomEventsScope {
		return s.eventsScopeMissing()
	}
	id, err := url.PathUnescape(c.params["eventId"])
	var ev *ZoomEvent
	for _, e := range s.acct.Events {
		if err == nil && e.ID == id {
			ev = e
		}
	}
	if ev == nil {
		return apiErr(http.StatusNotFound, 2002, "Event not found.")
	}
	out := sessionsJSON{TotalRecords: len(ev.Sessions), Sessions: []sessionJSON{}}
	for _, ss := range ev.Sessions {
		out.Sessions = append(out.Sessions, sessionJSON{SessionID: ss.ID, Name: ss.Name, Type: ss.Type,
			WebinarID: ss.WebinarID, MeetingID: ss.MeetingID, StartTime: zt(ss.StartTime), EndTime: zt(ss.EndTime),
			Timezone: ev.Timezone})
	}
	return http.StatusOK, out
}
