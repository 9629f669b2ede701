package hubspot

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/zoomsync/zoomsync/internal/paging"
)

// MarketingEventsService upserts marketing events and records who
// registered, attended or cancelled (reference §7). Events are keyed by
// (externalAccountId, externalEventId); an app sees only its own events.
//
// Participations are recorded by contact id only. HubSpot's email variant
// (POST …/attendance/{externalEventId}/{subscriberState}/email-create)
// creates a contact for every unknown email, which would bring back people
// the sync rules leave out (excluded domains, CRM users, deleted contacts,
// secondary emails); this client deliberately does not offer it.
type MarketingEventsService service

const marketingPath = "marketing/v3/marketing-events"

// MarketingEvent is a marketing event. The first four fields are required
// on upsert.
type MarketingEvent struct {
	ExternalAccountID string           `json:"externalAccountId,omitempty"`
	ExternalEventID   string           `json:"externalEventId,omitempty"`
	EventName         string           `json:"eventName"`
	EventOrganizer    string           `json:"eventOrganizer"`
	EventType         string           `json:"eventType,omitempty"`
	StartDateTime     time.Time        `json:"startDateTime,omitzero"`
	EndDateTime       time.Time        `json:"endDateTime,omitzero"`
	EventURL          string           `json:"eventUrl,omitempty"`
	EventDescription  string           `json:"eventDescription,omitempty"`
	EventCancelled    bool             `json:"eventCancelled"`
	EventCompleted    bool             `json:"eventCompleted"`
	CustomProperties  []CustomProperty `json:"customProperties"`

	// Set on answers.
	ID        string    `json:"id,omitempty"`
	ObjectID  string    `json:"objectId,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// Counts, set by Get.
	Registrants   int `json:"registrants,omitempty"`
	Attendees     int `json:"attendees,omitempty"`
	Cancellations int `json:"cancellations,omitempty"`
	NoShows       int `json:"noShows,omitempty"`
}

// CustomProperty is a value of a marketing-event property (it must exist on
// the marketing_events object).
type CustomProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Upsert creates or updates up to 100 events by (ExternalAccountID,
// ExternalEventID). It returns the events as HubSpot answered them, in no
// particular order: the answer does not name the external ids, so callers
// key their state by the external ids they sent. HubSpot fails the whole
// request on any invalid input; nothing is written then.
//
// HubSpot API: POST /marketing/v3/marketing-events/events/upsert
func (s *MarketingEventsService) Upsert(ctx context.Context, events []*MarketingEvent) ([]*MarketingEvent, *Response, error) {
	if len(events) == 0 {
		return nil, nil, nil
	}
	if len(events) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: marketing events upsert: %d events, at most %d per call", len(events), MaxBatchInputs)
	}
	seen := make(map[[2]string]int, len(events))
	inputs := make([]*MarketingEvent, len(events))
	for i, e := range events {
		if e == nil || e.ExternalAccountID == "" || e.ExternalEventID == "" || e.EventName == "" || e.EventOrganizer == "" {
			return nil, nil, fmt.Errorf("hubspot: marketing events upsert: event[%d]: externalAccountId, externalEventId, eventName and eventOrganizer are required", i)
		}
		k := [2]string{e.ExternalAccountID, e.ExternalEventID}
		if j, dup := seen[k]; dup {
			return nil, nil, fmt.Errorf("hubspot: marketing events upsert: events %d and %d share external id %q", j, i, e.ExternalEventID)
		}
		seen[k] = i
		in := *e
		in.ID, in.ObjectID, in.CreatedAt, in.UpdatedAt = "", "", time.Time{}, time.Time{}
		in.Registrants, in.Attendees, in.Cancellations, in.NoShows = 0, 0, 0, 0
		if in.CustomProperties == nil {
			in.CustomProperties = []CustomProperty{}
		}
		inputs[i] = &in
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, marketingPath+"/events/upsert", nil,
		struct {
			Inputs []*MarketingEvent `json:"inputs"`
		}{inputs})
	if err != nil {
		return nil, nil, err
	}
	var res struct {
		Results []*MarketingEvent `json:"results"`
		Errors  []*BatchError     `json:"errors"`
	}
	resp, err := s.client.Do(req, &res)
	if err != nil {
		return nil, resp, err
	}
	if len(res.Errors) > 0 {
		return res.Results, resp, fmt.Errorf("hubspot: marketing events upsert: %d errors, first: %s", len(res.Errors), res.Errors[0])
	}
	return res.Results, resp, nil
}

// Get reads one event with its registrant, attendee, cancellation and
// no-show counts.
//
// HubSpot API: GET /marketing/v3/marketing-events/events/{externalEventId}?externalAccountId=
func (s *MarketingEventsService) Get(ctx context.Context, externalAccountID, externalEventID string) (*MarketingEvent, *Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodGet, marketingPath+"/events/"+url.PathEscape(externalEventID),
		url.Values{"externalAccountId": {externalAccountID}}, nil)
	if err != nil {
		return nil, nil, err
	}
	out := new(MarketingEvent)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, err
	}
	if out.ExternalAccountID == "" {
		out.ExternalAccountID = externalAccountID
	}
	return out, resp, nil
}

// SubscriberState is how a contact took part in an event.
type SubscriberState string

// Subscriber states.
const (
	StateRegister SubscriberState = "register"
	StateAttend   SubscriberState = "attend"
	StateCancel   SubscriberState = "cancel"
)

// Attendance is one contact's participation, by contact id.
type Attendance struct {
	ContactID string
	// At is when it happened (registration time, join time, …).
	At time.Time
	// JoinedAt and LeftAt are sent for StateAttend only (the only properties
	// HubSpot accepts there), as epoch milliseconds.
	JoinedAt, LeftAt time.Time
}

// AttendanceOutcome is what happened to one Attendance.
type AttendanceOutcome struct {
	Input Attendance
	// Err is nil when the participation was recorded.
	Err *BatchError
}

// RecordAttendance records up to 100 participations of existing contacts in
// one state. Re-sending the same (event, contact, state) updates the
// participation; it is not counted twice. An unknown contact id fails alone
// (no contact is ever created). Outcomes are in input order, matched by
// contact id; a contact may appear once per call.
//
// HubSpot API: POST /marketing/v3/marketing-events/attendance/{externalEventId}/{subscriberState}/create?externalAccountId=
func (s *MarketingEventsService) RecordAttendance(ctx context.Context, externalAccountID, externalEventID string,
	state SubscriberState, in []Attendance) ([]AttendanceOutcome, *Response, error) {
	if len(in) == 0 {
		return nil, nil, nil
	}
	if len(in) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: attendance: %d inputs, at most %d per call", len(in), MaxBatchInputs)
	}
	switch state {
	case StateRegister, StateAttend, StateCancel:
	default:
		return nil, nil, fmt.Errorf("hubspot: attendance: unknown subscriber state %q", state)
	}
	type input struct {
		Vid                 int64             `json:"vid"`
		InteractionDateTime int64             `json:"interactionDateTime"`
		Properties          map[string]string `json:"properties"`
	}
	index := make(map[string]int, len(in))
	inputs := make([]input, len(in))
	for i, a := range in {
		vid, err := strconv.ParseInt(a.ContactID, 10, 64)
		if err != nil || vid <= 0 {
			return nil, nil, fmt.Errorf("hubspot: attendance: input[%d]: contact id %q is not a number", i, a.ContactID)
		}
		if j, dup := index[a.ContactID]; dup {
			return nil, nil, fmt.Errorf("hubspot: attendance: inputs %d and %d name contact %s", j, i, a.ContactID)
		}
		if a.At.IsZero() {
			return nil, nil, fmt.Errorf("hubspot: attendance: input[%d]: the interaction time is required", i)
		}
		index[a.ContactID] = i
		props := map[string]string{}
		if state == StateAttend {
			if !a.JoinedAt.IsZero() {
				props["joinedAt"] = strconv.FormatInt(a.JoinedAt.UnixMilli(), 10)
			}
			if !a.LeftAt.IsZero() {
				props["leftAt"] = strconv.FormatInt(a.LeftAt.UnixMilli(), 10)
			}
		}
		inputs[i] = input{Vid: vid, InteractionDateTime: a.At.UnixMilli(), Properties: props}
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost,
		marketingPath+"/attendance/"+url.PathEscape(externalEventID)+"/"+string(state)+"/create",
		url.Values{"externalAccountId": {externalAccountID}}, struct {
			Inputs []input `json:"inputs"`
		}{inputs})
	if err != nil {
		return nil, nil, err
	}
	var res struct {
		Results []struct {
			Vid int64 `json:"vid"`
		} `json:"results"`
		Errors []*BatchError `json:"errors"`
	}
	resp, err := s.client.Do(req, &res)
	if err != nil {
		return nil, resp, err
	}
	out := make([]AttendanceOutcome, len(in))
	done := make([]bool, len(in))
	for i, a := range in {
		out[i].Input = a
	}
	for _, r := range res.Results {
		if i, ok := index[strconv.FormatInt(r.Vid, 10)]; ok {
			done[i] = true
		}
	}
	for _, e := range res.Errors {
		if e == nil {
			continue
		}
		for _, k := range []string{"vids", "vid", "ids"} {
			for _, id := range e.Context[k] {
				if i, ok := index[id]; ok && !done[i] {
					done[i], out[i].Err = true, e
				}
			}
		}
		if i, ok := index[e.ID]; ok && !done[i] {
			done[i], out[i].Err = true, e
		}
	}
	for i := range out {
		if !done[i] {
			out[i].Err = missingResult()
		}
	}
	return out, resp, nil
}

// Participation is one row of an event's participation breakdown.
type Participation struct {
	ID        string
	ContactID string
	Email     string
	// State is REGISTERED, ATTENDED, CANCELLED, NO_SHOW or EMPTY.
	State             string
	OccurredAt        time.Time
	DurationSeconds   int
	MarketingEventID  string
	ExternalAccountID string
	ExternalEventID   string
}

// BreakdownOptions selects a page of participations.
type BreakdownOptions struct {
	// Limit is the page size, at most 100; 0 means 100.
	Limit int
	After string
	// State filters by REGISTERED, ATTENDED, CANCELLED…; empty = all.
	State string
	// ContactIdentifier filters by contact id or email.
	ContactIdentifier string
}

// Breakdown returns one page of an event's participations; resp.After is
// the cursor of the next page (empty on the last).
//
// HubSpot API: GET /marketing/v3/marketing-events/participations/{externalAccountId}/{externalEventId}/breakdown
func (s *MarketingEventsService) Breakdown(ctx context.Context, externalAccountID, externalEventID string, opts *BreakdownOptions) ([]*Participation, *Response, error) {
	var o BreakdownOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit <= 0 || o.Limit > 100 {
		o.Limit = 100
	}
	q := url.Values{"limit": {strconv.Itoa(o.Limit)}}
	for k, v := range map[string]string{"after": o.After, "state": o.State, "contactIdentifier": o.ContactIdentifier} {
		if v != "" {
			q.Set(k, v)
		}
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet,
		marketingPath+"/participations/"+url.PathEscape(externalAccountID)+"/"+url.PathEscape(externalEventID)+"/breakdown", q, nil)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Results []struct {
			ID           string `json:"id"`
			Associations struct {
				Contact struct {
					ContactID string `json:"contactId"`
					Email     string `json:"email"`
				} `json:"contact"`
				MarketingEvent struct {
					MarketingEventID  string `json:"marketingEventId"`
					ExternalAccountID string `json:"externalAccountId"`
					ExternalEventID   string `json:"externalEventId"`
				} `json:"marketingEvent"`
			} `json:"associations"`
			Properties struct {
				AttendanceState           string `json:"attendanceState"`
				OccurredAt                int64  `json:"occurredAt"`
				AttendanceDurationSeconds int    `json:"attendanceDurationSeconds"`
			} `json:"properties"`
		} `json:"results"`
		Paging *pageInfo `json:"paging"`
	}
	resp, err := s.client.Do(req, &page)
	if err != nil {
		return nil, resp, err
	}
	resp.After = page.Paging.nextAfter()
	out := make([]*Participation, 0, len(page.Results))
	for _, r := range page.Results {
		a, p := r.Associations, r.Properties
		out = append(out, &Participation{ID: r.ID, ContactID: a.Contact.ContactID, Email: a.Contact.Email,
			State: p.AttendanceState, OccurredAt: time.UnixMilli(p.OccurredAt).UTC(), DurationSeconds: p.AttendanceDurationSeconds,
			MarketingEventID: a.MarketingEvent.MarketingEventID, ExternalAccountID: a.MarketingEvent.ExternalAccountID,
			ExternalEventID: a.MarketingEvent.ExternalEventID})
	}
	return out, resp, nil
}

// BreakdownIter walks every participation of an event. opts is not
// modified. On an error it yields (nil, err) once and stops.
func (s *MarketingEventsService) BreakdownIter(ctx context.Context, externalAccountID, externalEventID string, opts *BreakdownOptions) iter.Seq2[*Participation, error] {
	var o BreakdownOptions
	if opts != nil {
		o = *opts
	}
	return paging.All(o.After, func(after string) ([]*Participation, string, error) {
		o.After = after
		return pageOf(s.Breakdown(ctx, externalAccountID, externalEventID, &o))
	})
}
