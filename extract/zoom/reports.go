package zoom

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
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
	req, err := s.client.NewRequest(ctx, "GET", "report/webinars/"+EncodeUUID(uuid), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	r := new(WebinarReport)
	resp, err := s.client.Do(ctx, req, r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// ListParticipants returns one page of an instance's participants (uuid, or
// numeric id for the latest instance). It always asks for registrant_id.
//
// Zoom API: GET /report/webinars/{webinarId}/participants
func (s *ReportsService) ListParticipants(ctx context.Context, uuid string, opts *ListOptions) ([]*Participant, *Response, error) {
	q := url.Values{"include_fields": {"registrant_id"}}
	opts.addTo(q)
	req, err := s.client.NewRequest(ctx, "GET", "report/webinars/"+EncodeUUID(uuid)+"/participants", q, nil)
	if err != nil {
		return nil, nil, err
	}
	var body struct {
		Participants []*Participant `json:"participants"`
	}
	resp, err := s.client.Do(ctx, req, &body)
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
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	return pages(o.NextPageToken, func(token string) ([]*Participant, *Response, error) {
		p := o
		p.NextPageToken = token
		return s.ListParticipants(ctx, uuid, &p)
	})
}
