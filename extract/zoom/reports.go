package zoom

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strings"
	"time"
)

// ReportsService reads webinar reports. Report data covers the last months
// only: older than a year is ErrReportTooOld, and an instance that has not
// ended or not been processed yet is ErrWebinarNotFound.
type ReportsService service

// WebinarReport is the report of one webinar instance (zoom-api.md §6.11).
type WebinarReport struct {
	ID                int64           `json:"id"`
	UUID              string          `json:"uuid"`
	Type              int             `json:"type"`
	Topic             string          `json:"topic"`
	UserName          string          `json:"user_name"`
	UserEmail         string          `json:"user_email"`
	Dept              string          `json:"dept"`
	StartTime         time.Time       `json:"start_time"`
	EndTime           time.Time       `json:"end_time"`
	Duration          int             `json:"duration"` // minutes
	TotalMinutes      int             `json:"total_minutes"`
	ParticipantsCount int             `json:"participants_count"`
	TrackingFields    []TrackingField `json:"tracking_fields"`
	CustomKeys        []CustomKey     `json:"custom_keys"`
}

// CustomKey is a report custom key.
type CustomKey struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// UnmarshalJSON tolerates a string id and "" times.
func (r *WebinarReport) UnmarshalJSON(b []byte) error {
	type plain WebinarReport
	var aux struct {
		*plain
		ID        jsonInt64 `json:"id"`
		StartTime jsonTime  `json:"start_time"`
		EndTime   jsonTime  `json:"end_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.ID = int64(aux.ID)
	r.StartTime = time.Time(aux.StartTime)
	r.EndTime = time.Time(aux.EndTime)
	return nil
}

// Participant is one join/leave session of an attendee (zoom-api.md §6.9).
// A person who rejoins has several rows.
type Participant struct {
	// ID is the Zoom user id when signed in, else "" (deprecated in favour
	// of ParticipantUserID).
	ID                string `json:"id"`
	ParticipantUserID string `json:"participant_user_id"`
	// UserID is a per-join id, valid only within this webinar.
	UserID       string    `json:"user_id"`
	Name         string    `json:"name"`
	UserEmail    string    `json:"user_email"` // "" for most guests
	JoinTime     time.Time `json:"join_time"`
	LeaveTime    time.Time `json:"leave_time"`
	Duration     int       `json:"duration"` // seconds
	RegistrantID string    `json:"registrant_id"`
	Status       string    `json:"status"` // "in_meeting" or "in_waiting_room"
	Failover     bool      `json:"failover"`
	CustomerKey  string    `json:"customer_key"`
}

// UnmarshalJSON tolerates "" times.
func (p *Participant) UnmarshalJSON(b []byte) error {
	type plain Participant
	var aux struct {
		*plain
		JoinTime  jsonTime `json:"join_time"`
		LeaveTime jsonTime `json:"leave_time"`
	}
	aux.plain = (*plain)(p)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.JoinTime = time.Time(aux.JoinTime)
	p.LeaveTime = time.Time(aux.LeaveTime)
	return nil
}

// GetWebinar returns the report of one instance, named by its uuid, or of
// the latest instance when given the numeric webinar id. The uuid is
// double-encoded (EncodeUUID).
//
// Zoom API: GET /report/webinars/{webinarId}
func (s *ReportsService) GetWebinar(ctx context.Context, uuid string) (*WebinarReport, *Response, error) {
	return requestValue[WebinarReport](ctx, s.client, "GET", "report/webinars/"+EncodeUUID(uuid), nil, nil)
}

// ListParticipants returns one page of an instance's participants (uuid, or
// numeric id for the latest instance). It always asks for registrant_id.
//
// Zoom API: GET /report/webinars/{webinarId}/participants
func (s *ReportsService) ListParticipants(ctx context.Context, uuid string, opts *ListOptions) ([]*Participant, *Response, error) {
	q := url.Values{"include_fields": {"registrant_id"}}
	opts.addTo(q)
	body, resp, err := requestValue[struct {
		Participants []*Participant `json:"participants"`
	}](ctx, s.client, "GET", "report/webinars/"+EncodeUUID(uuid)+"/participants", q, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Participants, resp, nil
}

// ListParticipantsIter walks every page of ListParticipants. opts is
// copied, never changed.
//
// Zoom API: GET /report/webinars/{webinarId}/participants
func (s *ReportsService) ListParticipantsIter(ctx context.Context, uuid string, opts *ListOptions) iter.Seq2[*Participant, error] {
	return pagesOf(opts, func(p *ListOptions) ([]*Participant, *Response, error) { return s.ListParticipants(ctx, uuid, p) })
}

// ReportMeeting is one entry of a user's meetings report: a past meeting or
// webinar instance (zoom-api.md §6.15).
type ReportMeeting struct {
	UUID string `json:"uuid"`
	ID   int64  `json:"id"`
	// HostID is host_id when Zoom sends it; the endpoint's spec does not
	// list it, so ListUserMeetings fills it with the userId asked for when
	// that is a user id and the report type lists hosted meetings only
	// (past, pastOne).
	HostID            string    `json:"host_id"`
	Type              int       `json:"type"` // 5, 6, 9 webinars; 1–4, 7, 8 meetings
	Topic             string    `json:"topic"`
	UserName          string    `json:"user_name"`
	UserEmail         string    `json:"user_email"`
	StartTime         time.Time `json:"start_time"`
	EndTime           time.Time `json:"end_time"`
	Duration          int       `json:"duration"` // minutes
	TotalMinutes      int       `json:"total_minutes"`
	ParticipantsCount int       `json:"participants_count"`
}

// UnmarshalJSON tolerates a string id or type and "" times.
func (m *ReportMeeting) UnmarshalJSON(b []byte) error {
	type plain ReportMeeting
	var aux struct {
		*plain
		ID        jsonInt64 `json:"id"`
		Type      jsonInt64 `json:"type"`
		StartTime jsonTime  `json:"start_time"`
		EndTime   jsonTime  `json:"end_time"`
	}
	aux.plain = (*plain)(m)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	m.ID, m.Type = int64(aux.ID), int(aux.Type)
	m.StartTime, m.EndTime = time.Time(aux.StartTime), time.Time(aux.EndTime)
	return nil
}

// IsWebinar reports whether the entry is a webinar instance (type 5, 6 or 9).
func (m *ReportMeeting) IsWebinar() bool {
	return m.Type == WebinarTypeSingle || m.Type == WebinarTypeRecurringNoFixed || m.Type == WebinarTypeRecurringFixed
}

// UserMeetingsOptions selects a user's meetings report.
type UserMeetingsOptions struct {
	// From and To bound the report by start date; only their UTC dates
	// (yyyy-mm-dd) are sent, both inclusive. Zoom allows at most one month
	// between them, inside its data window (the last six months): outside
	// it Zoom answers 400 (code 300, or 12702 for more than a year back).
	From, To time.Time
	// Type is "past" (the default: meetings the user hosted), "pastOne" or
	// "pastJoined" (hosted or joined).
	Type string
	ListOptions
}

// ListUserMeetings returns one page of the meetings and webinar instances a
// user (id, email or "me") held in a window, those with at least two
// participants only. Expired webinars are included: this is how past
// webinars that /users/{userId}/webinars no longer lists are found. Filter
// webinars with IsWebinar.
//
// Zoom API: GET /report/users/{userId}/meetings
func (s *ReportsService) ListUserMeetings(ctx context.Context, userID string, opts *UserMeetingsOptions) ([]*ReportMeeting, *Response, error) {
	var o UserMeetingsOptions
	if opts != nil {
		o = *opts
	}
	if o.Type == "" {
		o.Type = "past"
	}
	q := url.Values{
		"from": {o.From.UTC().Format(time.DateOnly)},
		"to":   {o.To.UTC().Format(time.DateOnly)},
		"type": {o.Type},
	}
	o.ListOptions.addTo(q)
	body, resp, err := requestValue[struct {
		Meetings []*ReportMeeting `json:"meetings"`
	}](ctx, s.client, "GET", "report/users/"+url.PathEscape(userID)+"/meetings", q, nil)
	if err != nil {
		return nil, resp, err
	}
	if o.Type != "pastJoined" && userID != "me" && !strings.Contains(userID, "@") {
		for _, m := range body.Meetings {
			if m.HostID == "" {
				m.HostID = userID
			}
		}
	}
	return body.Meetings, resp, nil
}

// ListUserMeetingsIter walks every page of ListUserMeetings. opts is copied,
// never changed.
//
// Zoom API: GET /report/users/{userId}/meetings
func (s *ReportsService) ListUserMeetingsIter(ctx context.Context, userID string, opts *UserMeetingsOptions) iter.Seq2[*ReportMeeting, error] {
	return pagesOf(opts, func(p *UserMeetingsOptions) ([]*ReportMeeting, *Response, error) {
		return s.ListUserMeetings(ctx, userID, p)
	})
}
