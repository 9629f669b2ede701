package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// TimelineService manages timeline event templates and sends timeline
// events (reference §6). HubSpot accepts timeline events only from public
// apps: templates are managed with the app's developer API key
// (WithDeveloperKey, WithApp) and events are sent with an OAuth access token
// of the app installed in the account (WithOAuthToken). With only a
// private-app token every send fails with an error that Is
// ErrPublicAppRequired; callers should then skip timeline events with one
// notice.
type TimelineService service

// WithOAuthToken sets the public app's OAuth access token used for timeline
// event calls; every other call keeps the WithToken token. Without it,
// timeline calls are sent with the WithToken token (and a private-app token
// is refused).
func WithOAuthToken(token string) Option {
	return func(o *options) { o.oauthToken = token }
}

// WithDeveloperKey sets the developer API key (sent as ?hapikey=) used for
// timeline event templates. It never appears in logs or errors.
func WithDeveloperKey(key string) Option {
	return func(o *options) { o.developerKey = key }
}

// WithApp sets the id of the public app that owns the event templates.
func WithApp(appID string) Option {
	return func(o *options) { o.appID = appID }
}

// CanSendEvents reports whether a public app's OAuth token is configured.
// Without one, event sends go out with the WithToken token, which HubSpot
// refuses when it is a private-app token.
func (s *TimelineService) CanSendEvents() bool { return s.client.opts.oauthToken != "" }

// TemplateToken is one token of an event template.
type TemplateToken struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Type is string, number, date or enumeration.
	Type string `json:"type"`
	// Options are required for enumeration tokens.
	Options []TokenOption `json:"options"`
	// ObjectPropertyName copies the token's value into this contact property.
	ObjectPropertyName string `json:"objectPropertyName,omitempty"`
}

// TokenOption is one allowed value of an enumeration token.
type TokenOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// EventTemplate is a timeline event template.
type EventTemplate struct {
	ID             string          `json:"id,omitempty"`
	Name           string          `json:"name"`
	ObjectType     string          `json:"objectType"`
	HeaderTemplate string          `json:"headerTemplate,omitempty"`
	DetailTemplate string          `json:"detailTemplate,omitempty"`
	Tokens         []TemplateToken `json:"tokens"`
	CreatedAt      time.Time       `json:"createdAt,omitzero"`
	UpdatedAt      time.Time       `json:"updatedAt,omitzero"`
}

// templatesRequest builds a template call: developer key in the query, no
// bearer token.
func (s *TimelineService) templatesRequest(ctx context.Context, method, suffix string, body any, opts ...RequestOption) (*http.Request, error) {
	o := s.client.opts
	if o.developerKey == "" || o.appID == "" {
		return nil, ErrNoDeveloperKey
	}
	return s.client.NewRequest(ctx, method, "crm/v3/timeline/"+url.PathEscape(o.appID)+"/event-templates"+suffix,
		nil, body, append(opts, WithDeveloperKeyAuth())...)
}

// ListTemplates returns the app's event templates.
//
// HubSpot API: GET /crm/v3/timeline/{appId}/event-templates?hapikey=
func (s *TimelineService) ListTemplates(ctx context.Context) ([]*EventTemplate, *Response, error) {
	req, err := s.templatesRequest(ctx, http.MethodGet, "", nil)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Results []*EventTemplate `json:"results"`
	}
	resp, err := s.client.Do(req, &page)
	if err != nil {
		return nil, resp, err
	}
	return page.Results, resp, nil
}

// CreateTemplate creates an event template for contacts and returns it with
// its id. ObjectType defaults to "contacts"; nil Options become empty.
// HubSpot does not refuse a second template of the same name, so the
// request is retried only on 429 and 423: after a transport error or a 5xx
// it is not resent, since HubSpot may have created the template without the
// answer arriving. The caller finds out by listing the templates by name.
// An app without v1/v3 timeline events is refused (403): the error Is
// ErrTimelineUnavailable.
//
// HubSpot API: POST /crm/v3/timeline/{appId}/event-templates?hapikey=
func (s *TimelineService) CreateTemplate(ctx context.Context, t *EventTemplate) (*EventTemplate, *Response, error) {
	if t == nil || t.Name == "" {
		return nil, nil, errors.New("hubspot: create event template: name is required")
	}
	in := *t
	if in.ObjectType == "" {
		in.ObjectType = "contacts"
	}
	in.Tokens = append([]TemplateToken{}, t.Tokens...)
	for i := range in.Tokens {
		if in.Tokens[i].Options == nil {
			in.Tokens[i].Options = []TokenOption{}
		}
	}
	in.ID, in.CreatedAt, in.UpdatedAt = "", time.Time{}, time.Time{}
	// Not resent after a lost answer: HubSpot may have created the template.
	req, err := s.templatesRequest(ctx, http.MethodPost, "", &in, NoResend())
	if err != nil {
		return nil, nil, err
	}
	out := new(EventTemplate)
	resp, err := s.client.Do(req, out)
	if errors.Is(err, ErrForbidden) {
		return nil, resp, fmt.Errorf("%w: %w", ErrTimelineUnavailable, err)
	}
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// TimelineEvent is one timeline event. Target a contact by ObjectID (the
// contact must exist) or by Email — HubSpot CREATES the contact when no
// contact has that email, so send by ObjectID whenever creation must not
// happen (excluded people, deleted contacts).
type TimelineEvent struct {
	EventTemplateID string `json:"eventTemplateId"`
	// ID is unique per template: re-sending an ID rewrites the same event
	// (last write wins), so deterministic IDs make re-runs send no duplicate.
	ID        string            `json:"id"`
	ObjectID  string            `json:"objectId,omitempty"`
	Email     string            `json:"email,omitempty"`
	Timestamp time.Time         `json:"timestamp,omitzero"`
	Tokens    map[string]string `json:"tokens"`
	ExtraData any               `json:"extraData,omitempty"`
	// ObjectType is set on answers ("contacts").
	ObjectType string    `json:"objectType,omitempty"`
	CreatedAt  time.Time `json:"createdAt,omitzero"`
}

// eventsRequest builds an event call with the OAuth token when configured.
func (s *TimelineService) eventsRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	return s.client.NewRequest(ctx, method, path, nil, body, WithAppAuth())
}

// timelineErr marks a 403 on a timeline event call as ErrPublicAppRequired.
func timelineErr(err error) error {
	if errors.Is(err, ErrForbidden) {
		return fmt.Errorf("%w: %w", ErrPublicAppRequired, err)
	}
	return err
}

func checkEvent(e *TimelineEvent) error {
	switch {
	case e == nil:
		return errors.New("nil event")
	case e.EventTemplateID == "":
		return errors.New("eventTemplateId is required")
	case e.ID == "":
		return errors.New("id is required (use a deterministic id so re-runs do not duplicate)")
	case e.ObjectID == "" && e.Email == "":
		return errors.New("objectId or email is required")
	}
	return nil
}

func eventBody(e *TimelineEvent) *TimelineEvent {
	in := *e
	in.ObjectType, in.CreatedAt = "", time.Time{}
	if in.Tokens == nil {
		in.Tokens = map[string]string{}
	}
	return &in
}

// Create sends one event and returns it as HubSpot stored it.
//
// HubSpot API: POST /crm/v3/timeline/events
func (s *TimelineService) Create(ctx context.Context, e *TimelineEvent) (*TimelineEvent, *Response, error) {
	if err := checkEvent(e); err != nil {
		return nil, nil, fmt.Errorf("hubspot: timeline event: %w", err)
	}
	req, err := s.eventsRequest(ctx, http.MethodPost, "crm/v3/timeline/events", eventBody(e))
	if err != nil {
		return nil, nil, err
	}
	out := new(TimelineEvent)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, timelineErr(err)
	}
	return out, resp, nil
}

// Get reads one event back.
//
// HubSpot API: GET /crm/v3/timeline/events/{eventTemplateId}/{eventId}
func (s *TimelineService) Get(ctx context.Context, templateID, eventID string) (*TimelineEvent, *Response, error) {
	req, err := s.eventsRequest(ctx, http.MethodGet,
		"crm/v3/timeline/events/"+url.PathEscape(templateID)+"/"+url.PathEscape(eventID), nil)
	if err != nil {
		return nil, nil, err
	}
	out := new(TimelineEvent)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, timelineErr(err)
	}
	return out, resp, nil
}

// EventOutcome is what happened to one event of a batch.
type EventOutcome struct {
	Input *TimelineEvent
	// ObjectID is the contact the event landed on; empty when Err is set.
	ObjectID string
	Err      *BatchError
}

// BatchCreate sends up to 100 events and returns one outcome per input, in
// input order, matched by (eventTemplateId, id) — never by position. Every
// input needs an ID, and no two inputs may share (template, id). A 207 marks
// the refused events; a failure of the whole request returns an error (one
// that Is ErrPublicAppRequired for a private-app token).
//
// HubSpot API: POST /crm/v3/timeline/events/batch/create
func (s *TimelineService) BatchCreate(ctx context.Context, events []*TimelineEvent) ([]EventOutcome, *Response, error) {
	if len(events) == 0 {
		return nil, nil, nil
	}
	if len(events) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: timeline batch: %d events, at most %d per call", len(events), MaxBatchInputs)
	}
	key := func(tid, id string) string { return tid + "\x00" + id }
	index := make(map[string]int, len(events))
	body := make([]*TimelineEvent, len(events))
	for i, e := range events {
		if err := checkEvent(e); err != nil {
			return nil, nil, fmt.Errorf("hubspot: timeline batch: event[%d]: %w", i, err)
		}
		k := key(e.EventTemplateID, e.ID)
		if j, dup := index[k]; dup {
			return nil, nil, fmt.Errorf("hubspot: timeline batch: events %d and %d share template %s and id %q", j, i, e.EventTemplateID, e.ID)
		}
		index[k] = i
		body[i] = eventBody(e)
	}
	req, err := s.eventsRequest(ctx, http.MethodPost, "crm/v3/timeline/events/batch/create",
		struct {
			Inputs []*TimelineEvent `json:"inputs"`
		}{body})
	if err != nil {
		return nil, nil, err
	}
	var res struct {
		Results []*TimelineEvent `json:"results"`
		Errors  []*BatchError    `json:"errors"`
	}
	resp, err := s.client.Do(req, &res)
	if err != nil {
		return nil, resp, timelineErr(err)
	}
	out := make([]EventOutcome, len(events))
	done := make([]bool, len(events))
	for i, e := range events {
		out[i].Input = e
	}
	for _, r := range res.Results {
		if r == nil {
			continue
		}
		if i, ok := index[key(r.EventTemplateID, r.ID)]; ok && !done[i] {
			done[i], out[i].ObjectID = true, r.ObjectID
		}
	}
	for _, e := range res.Errors {
		if e == nil {
			continue
		}
		ids := slices.Concat(e.Context["ids"], []string{e.ID})
		tids := e.Context["eventTemplateIds"]
		for n, id := range ids {
			for i, in := range events {
				if done[i] || id == "" || in.ID != id {
					continue
				}
				// When the error names templates, the n-th id goes with the n-th template.
				if n < len(tids) && tids[n] != in.EventTemplateID {
					continue
				}
				done[i], out[i].Err = true, e
			}
		}
	}
	for i := range out {
		if !done[i] {
			out[i].Err = missingResult()
		}
	}
	return out, resp, nil
}

func missingResult() *BatchError {
	return &BatchError{Status: "error", Category: CategoryMissingResult,
		Message: "the batch answer named neither a result nor an error for this input"}
}
