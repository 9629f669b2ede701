package hubspottest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Timeline events v3 (reference §6). Templates belong to an app and are
// managed with the developer API key (?hapikey=); events are sent with a
// public app's OAuth token — a private-app token is refused with 403 — and
// are keyed by (template id, event id): re-sending an id rewrites the event.

// maxTemplatesPerApp is HubSpot's limit of event templates per app.
const maxTemplatesPerApp = 750

// EventTemplate is a timeline event template, for tests.
type EventTemplate struct {
	ID, AppID, Name, ObjectType string
	Tokens                      []string // token names
}

// TimelineEvent is a timeline event as the simulator holds it, for tests.
type TimelineEvent struct {
	TemplateID string
	ID         string
	ObjectID   string // contact id
	Email      string // as sent, when targeted by email
	Tokens     map[string]string
	ExtraData  any
	Timestamp  time.Time
	// Writes counts the sends of this (template, id); 1 after the first.
	Writes int
}

type templateToken struct {
	Name               string   `json:"name"`
	Label              string   `json:"label"`
	Type               string   `json:"type"`
	Options            []option `json:"options"`
	ObjectPropertyName string   `json:"objectPropertyName,omitempty"`
	CreatedAt          string   `json:"createdAt,omitempty"`
	UpdatedAt          string   `json:"updatedAt,omitempty"`
}

// eventTemplate is the spec's TimelineEventTemplate.
type eventTemplate struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	ObjectType     string          `json:"objectType"`
	HeaderTemplate string          `json:"headerTemplate,omitempty"`
	DetailTemplate string          `json:"detailTemplate,omitempty"`
	Tokens         []templateToken `json:"tokens"`
	CreatedAt      string          `json:"createdAt"`
	UpdatedAt      string          `json:"updatedAt"`
	appID          string
}

type timelineStore struct {
	templates map[string]*eventTemplate
	torder    []string
	nextID    int
	events    map[string]*TimelineEvent // template id + "\x00" + event id
	eorder    []string
	created   map[string]time.Time
}

func newTimelineStore() *timelineStore {
	return &timelineStore{templates: map[string]*eventTemplate{}, nextID: 1001298,
		events: map[string]*TimelineEvent{}, created: map[string]time.Time{}}
}

// EventTemplates returns every event template, in creation order.
func (s *Server) EventTemplates() []EventTemplate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []EventTemplate
	for _, id := range s.timeline.torder {
		t := s.timeline.templates[id]
		et := EventTemplate{ID: t.ID, AppID: t.appID, Name: t.Name, ObjectType: t.ObjectType}
		for _, tok := range t.Tokens {
			et.Tokens = append(et.Tokens, tok.Name)
		}
		out = append(out, et)
	}
	return out
}

// TimelineEvents returns every timeline event, in order of first send.
func (s *Server) TimelineEvents() []TimelineEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []TimelineEvent
	for _, k := range s.timeline.eorder {
		e := *s.timeline.events[k]
		e.Tokens = maps.Clone(e.Tokens)
		out = append(out, e)
	}
	return out
}

func timelineRoutes() []route {
	var out []route
	// The docs and SDKs use /crm/v3/timeline; the current spec /integrators/timeline/v3.
	for _, p := range []string{"/crm/v3/timeline", "/integrators/timeline/v3"} {
		out = append(out,
			route{pattern: "GET " + p + "/{appId}/event-templates", h: (*Server).listEventTemplates, devKey: true},
			route{pattern: "POST " + p + "/{appId}/event-templates", h: (*Server).createEventTemplate, devKey: true},
			route{pattern: "GET " + p + "/{appId}/event-templates/{eventTemplateId}", h: (*Server).getEventTemplate, devKey: true},
			route{pattern: "POST " + p + "/events", h: (*Server).createTimelineEvent},
			route{pattern: "POST " + p + "/events/batch/create", h: (*Server).batchCreateTimelineEvents},
			route{pattern: "GET " + p + "/events/{eventTemplateId}/{eventId}", h: (*Server).getTimelineEvent},
		)
	}
	return out
}

// appOK checks the {appId} of a template route against the app the
// developer key belongs to.
func (s *Server) appOK(c *call) bool {
	app := c.param("appId")
	if _, err := strconv.Atoi(app); err != nil {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("appId %q is not a number", app), nil)
		return false
	}
	if app != s.cfg.appID {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND",
			fmt.Sprintf("App %s does not belong to the developer account of this API key", app), nil)
		return false
	}
	return true
}

var tokenNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// POST …/{appId}/event-templates → 201.
func (s *Server) createEventTemplate(c *call) {
	if !s.appOK(c) {
		return
	}
	var in struct {
		Name           string          `json:"name"`
		ObjectType     string          `json:"objectType"`
		HeaderTemplate string          `json:"headerTemplate"`
		DetailTemplate string          `json:"detailTemplate"`
		Tokens         []templateToken `json:"tokens"`
	}
	if !s.decode(c, &in) {
		return
	}
	if msg := unsetFields(required{"name", strings.TrimSpace(in.Name) == ""}, required{"objectType", in.ObjectType == ""},
		required{"tokens", in.Tokens == nil}); msg != "" {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil)
		return
	}
	bad := func(msg string) { s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil) }
	if ot, ok := objectTypes[strings.ToLower(in.ObjectType)]; !ok || ot != "contacts" {
		bad(fmt.Sprintf("objectType %q is not supported by the simulator: use contacts", in.ObjectType))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := map[string]bool{}
	now := isoTime(s.now())
	for n, tok := range in.Tokens {
		switch {
		case !tokenNamePattern.MatchString(tok.Name):
			bad(fmt.Sprintf("tokens[%d]: name %q may hold only letters, digits, '.', '-' and '_'", n, tok.Name))
			return
		case names[tok.Name]:
			bad(fmt.Sprintf("tokens[%d]: duplicate token name %q", n, tok.Name))
			return
		case tok.Label == "":
			bad(fmt.Sprintf("tokens[%d]: label is required", n))
			return
		case !slices.Contains([]string{"string", "number", "date", "enumeration"}, tok.Type):
			bad(fmt.Sprintf("tokens[%d]: type %q is not one of string, number, date, enumeration", n, tok.Type))
			return
		case tok.Type == "enumeration" && len(tok.Options) == 0:
			bad(fmt.Sprintf("tokens[%d]: an enumeration token needs options", n))
			return
		}
		if p := tok.ObjectPropertyName; p != "" {
			if _, ok := s.props["contacts"].props[p]; !ok {
				bad(fmt.Sprintf("tokens[%d]: objectPropertyName %q is not a contact property", n, p))
				return
			}
		}
		names[tok.Name] = true
		if in.Tokens[n].Options == nil {
			in.Tokens[n].Options = []option{}
		}
		in.Tokens[n].CreatedAt, in.Tokens[n].UpdatedAt = now, now
	}
	count := 0
	for _, t := range s.timeline.templates {
		if t.appID == s.cfg.appID {
			count++
		}
	}
	if count == 0 && s.cfg.events.newApp {
		s.writeNoTimelineAccess(c)
		return
	}
	if count >= maxTemplatesPerApp {
		bad(fmt.Sprintf("App %s already has the maximum of %d event templates", s.cfg.appID, maxTemplatesPerApp))
		return
	}
	t := &eventTemplate{ID: strconv.Itoa(s.timeline.nextID), Name: in.Name, ObjectType: "contacts",
		HeaderTemplate: in.HeaderTemplate, DetailTemplate: in.DetailTemplate, Tokens: in.Tokens,
		CreatedAt: now, UpdatedAt: now, appID: s.cfg.appID}
	s.timeline.nextID++
	s.timeline.templates[t.ID] = t
	s.timeline.torder = append(s.timeline.torder, t.ID)
	c.write = true
	s.writeJSON(c, http.StatusCreated, t)
}

// writeNoTimelineAccess refuses a template to an app without v1/v3
// timeline events. HubSpot documents only that such requests fail; the
// status and body are inferred (docs/events.md).
func (s *Server) writeNoTimelineAccess(c *call) {
	s.writeError(c, http.StatusForbidden, "FORBIDDEN",
		fmt.Sprintf("App %s has no timeline event templates: the v1 and v3 timeline events APIs are only available for app partners with existing v1/v3 timeline events defined in their public app. Use custom events (/events/v3/send) instead.", s.cfg.appID),
		func(b *errorBody) { b.SubCategory = "TIMELINE_TEMPLATES_UNAVAILABLE" })
}

// GET …/{appId}/event-templates
func (s *Server) listEventTemplates(c *call) {
	if !s.appOK(c) {
		return
	}
	s.mu.Lock()
	out := []eventTemplate{}
	for _, id := range s.timeline.torder {
		if t := s.timeline.templates[id]; t.appID == c.param("appId") {
			out = append(out, *t)
		}
	}
	s.mu.Unlock()
	s.writeJSON(c, http.StatusOK, map[string]any{"results": out})
}

// GET …/{appId}/event-templates/{eventTemplateId}
func (s *Server) getEventTemplate(c *call) {
	if !s.appOK(c) {
		return
	}
	s.mu.Lock()
	t, ok := s.timeline.templates[c.param("eventTemplateId")]
	var out eventTemplate
	if ok {
		out = *t
	}
	s.mu.Unlock()
	if !ok || out.appID != c.param("appId") {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "Event template "+c.param("eventTemplateId")+" not found", nil)
		return
	}
	s.writeJSON(c, http.StatusOK, out)
}

// publicAppOnly refuses timeline event calls made with a private-app token:
// HubSpot accepts timeline events only from public apps (reference §6).
func (s *Server) publicAppOnly(c *call) bool {
	if s.oauthToken(c.token) {
		return true
	}
	s.writeError(c, http.StatusForbidden, "FORBIDDEN",
		"Timeline events need a public app's OAuth access token: this is a private-app token, and HubSpot accepts timeline events only from public apps with event templates. Use custom events (/events/v3/send) or skip timeline events.",
		func(b *errorBody) { b.SubCategory = "TIMELINE_REQUIRES_PUBLIC_APP" })
	return false
}

// timelineEventInput is the spec's TimelineEvent.
type timelineEventInput struct {
	EventTemplateID string                  `json:"eventTemplateId"`
	ID              string                  `json:"id"`
	Email           string                  `json:"email"`
	ObjectID        string                  `json:"objectId"`
	Utk             string                  `json:"utk"`
	Domain          string                  `json:"domain"`
	Timestamp       string                  `json:"timestamp"`
	Tokens          map[string]scalarString `json:"tokens"`
	ExtraData       json.RawMessage         `json:"extraData"`
}

// timelineEventResponse is the spec's TimelineEventResponse.
type timelineEventResponse struct {
	ID              string            `json:"id"`
	EventTemplateID string            `json:"eventTemplateId"`
	ObjectType      string            `json:"objectType"`
	ObjectID        string            `json:"objectId,omitempty"`
	Email           string            `json:"email,omitempty"`
	Tokens          map[string]string `json:"tokens"`
	ExtraData       any               `json:"extraData,omitempty"`
	Timestamp       string            `json:"timestamp,omitempty"`
	CreatedAt       string            `json:"createdAt,omitempty"`
}

func (s *Server) eventResponse(k string) timelineEventResponse {
	e := s.timeline.events[k]
	return timelineEventResponse{ID: e.ID, EventTemplateID: e.TemplateID, ObjectType: "contacts", ObjectID: e.ObjectID,
		Email: e.Email, Tokens: maps.Clone(e.Tokens), ExtraData: e.ExtraData, Timestamp: isoTime(e.Timestamp),
		CreatedAt: isoTime(s.timeline.created[k])}
}

// timelineError is why one event was refused.
type timelineError struct {
	status   int
	category string
	message  string
}

// sendTimelineEvent validates and stores one event. Call with s.mu held.
// Targeting by email creates the contact when no contact has that email, as
// HubSpot does; by objectId the contact must exist.
func (s *Server) sendTimelineEvent(in timelineEventInput) (string, *timelineError) {
	bad := func(format string, args ...any) (string, *timelineError) {
		return "", &timelineError{http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf(format, args...)}
	}
	if in.EventTemplateID == "" || in.Tokens == nil {
		return bad("Some required fields were not set: [eventTemplateId, tokens]")
	}
	t, ok := s.timeline.templates[in.EventTemplateID]
	if !ok {
		return "", &timelineError{http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("Event template %s not found", in.EventTemplateID)}
	}
	tokens := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(in.Tokens)) {
		v := string(in.Tokens[name])
		i := slices.IndexFunc(t.Tokens, func(x templateToken) bool { return x.Name == name })
		if i < 0 {
			return bad("Token %q is not defined on event template %s", name, t.ID)
		}
		switch tok := t.Tokens[i]; tok.Type {
		case "number":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return bad("Token %q: %q is not a number", name, v)
			}
		case "date":
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
					return bad("Token %q: %q is not a date (epoch milliseconds or ISO 8601)", name, v)
				}
			}
		case "enumeration":
			if !slices.ContainsFunc(tok.Options, func(o option) bool { return o.Value == v }) {
				return bad("Token %q: %q is not one of the template's options", name, v)
			}
		}
		tokens[name] = v
	}
	ts := s.now()
	if in.Timestamp != "" {
		x, err := time.Parse(time.RFC3339Nano, in.Timestamp)
		if err != nil {
			return bad("timestamp %q is not an ISO 8601 date-time", in.Timestamp)
		}
		ts = x.UTC()
	}
	var target *contact
	switch {
	case in.ObjectID != "":
		if x, ok := s.contacts.byID[in.ObjectID]; ok && !x.archived {
			target = x
		} else {
			return "", &timelineError{http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("Contact %s does not exist", in.ObjectID)}
		}
	case in.Email != "":
		if !validEmail(in.Email) {
			return bad("Email address %s is invalid", in.Email)
		}
		target = s.contacts.byEmail(in.Email, false)
	case in.Utk != "":
		return bad("Targeting by utk is not supported by the simulator: use objectId or email")
	default:
		return bad("An event needs a target: objectId, email or utk")
	}
	id := in.ID
	if id == "" {
		id = newUUID()
	}
	id = strings.ReplaceAll(id, "{{uuid}}", newUUID())
	now := s.now()
	if target == nil {
		target = s.contacts.create(strings.ToLower(in.Email), now)
	}
	var extra any
	if len(in.ExtraData) > 0 && string(in.ExtraData) != "null" {
		_ = json.Unmarshal(in.ExtraData, &extra)
	}
	k := t.ID + "\x00" + id
	e, ok := s.timeline.events[k]
	if !ok {
		e = &TimelineEvent{TemplateID: t.ID, ID: id}
		s.timeline.events[k] = e
		s.timeline.eorder = append(s.timeline.eorder, k)
		s.timeline.created[k] = now
	}
	e.ObjectID, e.Email, e.Tokens, e.ExtraData, e.Timestamp = target.id, in.Email, tokens, extra, ts
	e.Writes++
	return k, nil
}

// POST …/events → 201.
func (s *Server) createTimelineEvent(c *call) {
	if !s.publicAppOnly(c) {
		return
	}
	var in timelineEventInput
	if !s.decode(c, &in) {
		return
	}
	s.mu.Lock()
	k, terr := s.sendTimelineEvent(in)
	var out timelineEventResponse
	if terr == nil {
		out = s.eventResponse(k)
		c.write = true
	}
	s.mu.Unlock()
	if terr != nil {
		s.writeError(c, terr.status, terr.category, terr.message, nil)
		return
	}
	s.writeJSON(c, http.StatusCreated, out)
}

// POST …/events/batch/create → 201, or 207 with the refused inputs in
// errors[] (context.ids and context.eventTemplateIds name them).
func (s *Server) batchCreateTimelineEvents(c *call) {
	if !s.publicAppOnly(c) {
		return
	}
	inputs, ok := decodeInputs[timelineEventInput](s, c)
	if !ok {
		return
	}
	started := isoTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	var errs []standardError
	for _, i := range inputs {
		k, terr := s.sendTimelineEvent(i)
		if terr != nil {
			errs = append(errs, newStandardError(terr.category, terr.message,
				map[string][]string{"ids": {i.ID}, "eventTemplateIds": {i.EventTemplateID}}))
			continue
		}
		c.write = true
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	results := make([]timelineEventResponse, 0, len(keys))
	for _, k := range keys {
		results = append(results, s.eventResponse(k))
	}
	shuffle(s, results)
	writeBatchResponse(s, c, http.StatusCreated, started, results, errs)
}

// GET …/events/{eventTemplateId}/{eventId}
func (s *Server) getTimelineEvent(c *call) {
	if !s.publicAppOnly(c) {
		return
	}
	k := c.param("eventTemplateId") + "\x00" + c.param("eventId")
	s.mu.Lock()
	_, ok := s.timeline.events[k]
	var out timelineEventResponse
	if ok {
		out = s.eventResponse(k)
	}
	s.mu.Unlock()
	if !ok {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "Timeline event not found", nil)
		return
	}
	s.writeJSON(c, http.StatusOK, out)
}
