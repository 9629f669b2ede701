package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// EventsService manages custom event definitions, sends custom event
// occurrences (custom behavioral events) and reads them back
// (docs/events.md). It works with a private-app token; HubSpot serves it
// only to accounts with an Enterprise subscription, and needs the scopes
// behavioral_events.event_definitions.read_write (definitions) and
// analytics.behavioral_events.send (sends). Without them every call fails
// with an error that Is ErrCustomEventsUnavailable.
//
// An occurrence cannot be updated or deleted and HubSpot documents no
// deduplication (not even by uuid): sending one twice makes two. Send and
// SendBatch are therefore never resent after a lost answer (their error Is
// ErrUnknownOutcome); ListOccurrences tells whether one arrived.
//
// Requests go through the client's limiter like every other call: HubSpot
// documents no separate limit for these endpoints, so the account's burst
// limit applies.
type EventsService service

// Custom events scopes.
const (
	ScopeEventDefinitions = "behavioral_events.event_definitions.read_write"
	ScopeEventsSend       = "analytics.behavioral_events.send"
)

// MaxEventBatch is the most occurrences SendBatch sends in one call.
// HubSpot documents no maximum; zoomsync keeps to the CRM batch size.
const MaxEventBatch = MaxBatchInputs

var (
	// ErrCustomEventsUnavailable: HubSpot refused a custom events call with
	// 403 — the account has no Enterprise subscription, or the token lacks
	// a scope (then the error also Is ErrMissingScopes).
	ErrCustomEventsUnavailable = errors.New("hubspot: custom events are not available to this account or token")
	// ErrTimelineUnavailable: HubSpot refused a timeline event template
	// (403): the app has no v1/v3 timeline events, and HubSpot gives the
	// timeline API only to app partners whose app already has some.
	ErrTimelineUnavailable = errors.New("hubspot: the timeline API is not available to this app")
)

// eventsErr marks a 403 of a custom events call.
func eventsErr(err error) error {
	if errors.Is(err, ErrForbidden) {
		return fmt.Errorf("%w: %w", ErrCustomEventsUnavailable, err)
	}
	return err
}

// EventPropertyOption is one allowed value of an enumeration property.
type EventPropertyOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// EventProperty is one property of a custom event definition.
type EventProperty struct {
	// Name: lower-case letters, digits and '_', starting with a letter, at
	// most 50 characters.
	Name  string `json:"name"`
	Label string `json:"label"`
	// Type is string, number, enumeration or datetime.
	Type        string                `json:"type"`
	Description string                `json:"description,omitempty"`
	Options     []EventPropertyOption `json:"options,omitempty"`
}

// EventDefinitionInput creates a custom event definition.
type EventDefinitionInput struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	// PrimaryObject is CONTACT (the default), COMPANY, DEAL or TICKET.
	PrimaryObject       string          `json:"primaryObject,omitempty"`
	PropertyDefinitions []EventProperty `json:"propertyDefinitions"`
}

// EventDefinition is a custom event definition as HubSpot holds it.
type EventDefinition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// FullyQualifiedName (pe<portal id>_<name>) is the eventName of sends.
	FullyQualifiedName string            `json:"fullyQualifiedName"`
	Labels             map[string]string `json:"labels"`
	PrimaryObject      string            `json:"primaryObject"`
	Archived           bool              `json:"archived"`
	Properties         []EventProperty   `json:"properties"`
	CreatedAt          time.Time         `json:"createdAt,omitzero"`
}

// GetDefinition returns the definition named name; an error that Is
// ErrNotFound when there is none.
//
// HubSpot API: GET /events/v3/event-definitions/{eventName}
func (s *EventsService) GetDefinition(ctx context.Context, name string) (*EventDefinition, *Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodGet, "events/v3/event-definitions/"+url.PathEscape(name), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	out := new(EventDefinition)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, eventsErr(err)
	}
	return out, resp, nil
}

// ListDefinitions returns one page of definitions whose name contains
// search ("" for all); Response.After is the next page's cursor.
//
// HubSpot API: GET /events/v3/event-definitions
func (s *EventsService) ListDefinitions(ctx context.Context, search, after string) ([]*EventDefinition, *Response, error) {
	q := url.Values{"limit": {"100"}, "includeProperties": {"true"}}
	if search != "" {
		q.Set("searchString", search)
	}
	if after != "" {
		q.Set("after", after)
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet, "events/v3/event-definitions", q, nil)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Results []*EventDefinition `json:"results"`
		Paging  pagingNext         `json:"paging"`
	}
	resp, err := s.client.Do(req, &page)
	if err != nil {
		return nil, resp, eventsErr(err)
	}
	resp.After = page.Paging.Next.After
	return page.Results, resp, nil
}

// pagingNext is HubSpot's paging object of a list answer.
type pagingNext struct {
	Next struct {
		After string `json:"after"`
	} `json:"next"`
}

// CreateDefinition creates a definition; an error that Is ErrConflict when
// the name is taken. Being unique by name, a resend after a lost answer
// cannot make a second one.
//
// HubSpot API: POST /events/v3/event-definitions
func (s *EventsService) CreateDefinition(ctx context.Context, in *EventDefinitionInput) (*EventDefinition, *Response, error) {
	if in == nil || in.Name == "" || in.Label == "" {
		return nil, nil, errors.New("hubspot: create event definition: name and label are required")
	}
	body := *in
	if body.PropertyDefinitions == nil {
		body.PropertyDefinitions = []EventProperty{}
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, "events/v3/event-definitions", nil, &body)
	if err != nil {
		return nil, nil, err
	}
	out := new(EventDefinition)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, eventsErr(err)
	}
	return out, resp, nil
}

// CustomEvent is one occurrence to send. Target the contact by ObjectID
// (sending by Email may create a contact).
type CustomEvent struct {
	// EventName is the definition's FullyQualifiedName.
	EventName  string            `json:"eventName"`
	ObjectID   string            `json:"objectId,omitempty"`
	Email      string            `json:"email,omitempty"`
	OccurredAt time.Time         `json:"occurredAt,omitzero"`
	Properties map[string]string `json:"properties"`
	// UUID identifies the occurrence for matching with other systems;
	// HubSpot does not document deduplicating by it.
	UUID string `json:"uuid,omitempty"`
}

func checkCustomEvent(e *CustomEvent) error {
	switch {
	case e == nil:
		return errors.New("nil event")
	case e.EventName == "":
		return errors.New("eventName is required")
	case e.ObjectID == "" && e.Email == "":
		return errors.New("objectId or email is required")
	}
	return nil
}

func customEventBody(e *CustomEvent) *CustomEvent {
	in := *e
	in.OccurredAt = in.OccurredAt.UTC()
	if in.Properties == nil {
		in.Properties = map[string]string{}
	}
	return &in
}

// Send sends one occurrence. It is not resent after a lost answer.
//
// HubSpot API: POST /events/v3/send (204)
func (s *EventsService) Send(ctx context.Context, e *CustomEvent) (*Response, error) {
	if err := checkCustomEvent(e); err != nil {
		return nil, fmt.Errorf("hubspot: custom event: %w", err)
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, "events/v3/send", nil, customEventBody(e), NoResend())
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req, nil)
	return resp, eventsErr(err)
}

// SendBatch sends up to MaxEventBatch occurrences in one call. HubSpot
// answers 204 for the whole batch; a refused batch is an error, and no
// per-input outcome is given. It is not resent after a lost answer.
//
// HubSpot API: POST /events/v3/send/batch (204)
func (s *EventsService) SendBatch(ctx context.Context, events []*CustomEvent) (*Response, error) {
	if len(events) == 0 {
		return nil, nil
	}
	if len(events) > MaxEventBatch {
		return nil, fmt.Errorf("hubspot: custom events batch: %d events, at most %d per call", len(events), MaxEventBatch)
	}
	body := make([]*CustomEvent, len(events))
	for i, e := range events {
		if err := checkCustomEvent(e); err != nil {
			return nil, fmt.Errorf("hubspot: custom events batch: event[%d]: %w", i, err)
		}
		body[i] = customEventBody(e)
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, "events/v3/send/batch", nil,
		struct {
			Inputs []*CustomEvent `json:"inputs"`
		}{body}, NoResend())
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req, nil)
	return resp, eventsErr(err)
}

// Occurrence is an event occurrence read back.
type Occurrence struct {
	ID         string            `json:"id"`
	EventType  string            `json:"eventType"`
	ObjectID   string            `json:"objectId"`
	ObjectType string            `json:"objectType"`
	OccurredAt time.Time         `json:"occurredAt"`
	Properties map[string]string `json:"properties"`
}

// OccurrenceFilter selects occurrences of one contact.
type OccurrenceFilter struct {
	ContactID string
	EventType string            // a FullyQualifiedName
	Property  map[string]string // property values the occurrences have
}

// ListOccurrences returns one page (up to 100) of the contact's
// occurrences that match f; Response.After is the next page's cursor.
// HubSpot may show an occurrence some time after it was sent.
//
// HubSpot API: GET /events/v3/events?objectType=contact&objectId=&eventType=&property.<name>=
func (s *EventsService) ListOccurrences(ctx context.Context, f OccurrenceFilter, after string) ([]*Occurrence, *Response, error) {
	if _, err := strconv.ParseInt(f.ContactID, 10, 64); err != nil {
		return nil, nil, fmt.Errorf("hubspot: list occurrences: contact id %q is not a number", f.ContactID)
	}
	q := url.Values{"objectType": {"contact"}, "objectId": {f.ContactID}, "limit": {"100"}}
	if f.EventType != "" {
		q.Set("eventType", f.EventType)
	}
	for k, v := range f.Property {
		q.Set("property."+k, v)
	}
	if after != "" {
		q.Set("after", after)
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet, "events/v3/events", q, nil)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Results []*Occurrence `json:"results"`
		Paging  pagingNext    `json:"paging"`
	}
	resp, err := s.client.Do(req, &page)
	if err != nil {
		return nil, resp, eventsErr(err)
	}
	resp.After = page.Paging.Next.After
	return page.Results, resp, nil
}
