package hubspottest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Marketing events (reference §7): events keyed by (externalAccountId,
// externalEventId) with upsert semantics, and participations keyed by
// (event, contact, subscriber state) so that re-sending one never doubles it.

// MarketingEvent is a marketing event as the simulator holds it, for tests.
type MarketingEvent struct {
	ObjectID          string
	ExternalAccountID string
	ExternalEventID   string
	Name              string
	Organizer         string
	Type              string
	URL               string
	Description       string
	Start, End        time.Time
	Cancelled         bool
	Completed         bool
	CustomProperties  map[string]string
	// Writes counts the upserts that touched the event (1 after creation).
	Writes int
}

// Participation is one (contact, subscriber state) of a marketing event.
type Participation struct {
	ContactID  string
	Email      string
	State      string // register, attend or cancel
	OccurredAt time.Time
	Properties map[string]string // joinedAt, leftAt for attend
	// Writes counts how often it was sent (1 after the first).
	Writes int
}

type marketingEvent struct {
	MarketingEvent
	createdAt, updatedAt time.Time
	parts                map[string]*Participation // by contact id + "\x00" + state
	partCreated          map[string]time.Time
	partID               map[string]int
}

type marketingStore struct {
	byKey  map[string]*marketingEvent // externalAccountId + "\x00" + externalEventId
	order  []string
	nextID int
}

func newMarketingStore() *marketingStore {
	return &marketingStore{byKey: map[string]*marketingEvent{}, nextID: 7001}
}

func eventKey(account, event string) string { return account + "\x00" + event }

// find returns the event with this external id; an empty account matches the
// only event with that id (the attendance routes make externalAccountId optional).
func (st *marketingStore) find(account, event string) *marketingEvent {
	if account != "" {
		return st.byKey[eventKey(account, event)]
	}
	var found *marketingEvent
	for _, k := range st.order {
		if e := st.byKey[k]; e.ExternalEventID == event {
			if found != nil {
				return nil
			}
			found = e
		}
	}
	return found
}

// MarketingEvents returns every marketing event, in creation order.
func (s *Server) MarketingEvents() []MarketingEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []MarketingEvent
	for _, k := range s.mevents.order {
		e := s.mevents.byKey[k].MarketingEvent
		e.CustomProperties = maps.Clone(e.CustomProperties)
		out = append(out, e)
	}
	return out
}

// Participations returns the participations of every event with this
// external event id, sorted by contact id then state.
func (s *Server) Participations(externalEventID string) []Participation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Participation
	for _, k := range s.mevents.order {
		e := s.mevents.byKey[k]
		if e.ExternalEventID != externalEventID {
			continue
		}
		for _, p := range e.parts {
			cp := *p
			cp.Properties = maps.Clone(p.Properties)
			out = append(out, cp)
		}
	}
	slices.SortFunc(out, func(a, b Participation) int {
		if d := idNum(a.ContactID) - idNum(b.ContactID); d != 0 {
			return d
		}
		return strings.Compare(a.State, b.State)
	})
	return out
}

func marketingRoutes() []route {
	const base = "/marketing/v3/marketing-events"
	return []route{
		{pattern: "POST " + base + "/events/upsert", h: (*Server).upsertMarketingEvents},
		{pattern: "GET " + base + "/events/{externalEventId}", h: (*Server).getMarketingEvent},
		{pattern: "POST " + base + "/attendance/{externalEventId}/{subscriberState}/create", h: (*Server).attendanceByID},
		{pattern: "POST " + base + "/attendance/{externalEventId}/{subscriberState}/email-create", h: (*Server).attendanceByEmail},
		{pattern: "GET " + base + "/participations/{externalAccountId}/{externalEventId}", h: (*Server).participationCounters},
		{pattern: "GET " + base + "/participations/{externalAccountId}/{externalEventId}/breakdown", h: (*Server).participationBreakdown},
	}
}

// customProperty is the spec's PropertyValue as clients send it (name, value).
type customProperty struct {
	Name  string       `json:"name"`
	Value scalarString `json:"value"`
}

// marketingEventInput is the spec's MarketingEventCreateRequestParams.
type marketingEventInput struct {
	ExternalAccountID string            `json:"externalAccountId"`
	ExternalEventID   string            `json:"externalEventId"`
	EventName         string            `json:"eventName"`
	EventOrganizer    string            `json:"eventOrganizer"`
	EventType         string            `json:"eventType"`
	EventURL          string            `json:"eventUrl"`
	EventDescription  string            `json:"eventDescription"`
	StartDateTime     string            `json:"startDateTime"`
	EndDateTime       string            `json:"endDateTime"`
	EventCancelled    *bool             `json:"eventCancelled"`
	EventCompleted    *bool             `json:"eventCompleted"`
	CustomProperties  *[]customProperty `json:"customProperties"`
}

// propertyValue is the spec's PropertyValue, every required field filled.
type propertyValue struct {
	Name                               string           `json:"name"`
	Value                              string           `json:"value"`
	Timestamp                          int64            `json:"timestamp"`
	Source                             string           `json:"source"`
	SourceID                           string           `json:"sourceId"`
	SourceLabel                        string           `json:"sourceLabel"`
	SourceMetadata                     string           `json:"sourceMetadata"`
	SourceUpstreamDeployable           string           `json:"sourceUpstreamDeployable"`
	SourceVid                          []int64          `json:"sourceVid"`
	RequestID                          string           `json:"requestId"`
	SelectedByUser                     bool             `json:"selectedByUser"`
	SelectedByUserTimestamp            int64            `json:"selectedByUserTimestamp"`
	PersistenceTimestamp               int64            `json:"persistenceTimestamp"`
	UseTimestampAsPersistenceTimestamp bool             `json:"useTimestampAsPersistenceTimestamp"`
	UpdatedByUserID                    int              `json:"updatedByUserId"`
	DataSensitivity                    string           `json:"dataSensitivity"`
	IsEncrypted                        bool             `json:"isEncrypted"`
	IsLargeValue                       bool             `json:"isLargeValue"`
	MaskedSubstrings                   maskedSubstrings `json:"maskedSubstrings"`
	Unit                               string           `json:"unit"`
}

type maskedSubstrings struct {
	Substrings []struct{} `json:"substrings"`
}

// marketingEventResponse is the spec's MarketingEventPublicDefaultResponse;
// with counts set it is MarketingEventPublicReadResponse.
type marketingEventResponse struct {
	ID               string          `json:"id"`
	ObjectID         string          `json:"objectId"`
	ExternalEventID  string          `json:"externalEventId,omitempty"`
	EventName        string          `json:"eventName"`
	EventOrganizer   string          `json:"eventOrganizer"`
	EventType        string          `json:"eventType,omitempty"`
	EventURL         string          `json:"eventUrl,omitempty"`
	EventDescription string          `json:"eventDescription,omitempty"`
	StartDateTime    string          `json:"startDateTime,omitempty"`
	EndDateTime      string          `json:"endDateTime,omitempty"`
	EventCancelled   bool            `json:"eventCancelled"`
	EventCompleted   bool            `json:"eventCompleted"`
	CustomProperties []propertyValue `json:"customProperties"`
	CreatedAt        string          `json:"createdAt"`
	UpdatedAt        string          `json:"updatedAt"`
	*attendanceCounts
}

type attendanceCounts struct {
	Registrants   int `json:"registrants"`
	Attendees     int `json:"attendees"`
	Cancellations int `json:"cancellations"`
	NoShows       int `json:"noShows"`
}

func (e *marketingEvent) response(withCounts bool) marketingEventResponse {
	o := marketingEventResponse{ID: e.ObjectID, ObjectID: e.ObjectID, EventName: e.Name, EventOrganizer: e.Organizer,
		EventType: e.Type, EventURL: e.URL, EventDescription: e.Description, EventCancelled: e.Cancelled,
		EventCompleted: e.Completed, CreatedAt: isoTime(e.createdAt), UpdatedAt: isoTime(e.updatedAt),
		CustomProperties: []propertyValue{}}
	if !e.Start.IsZero() {
		o.StartDateTime = isoTime(e.Start)
	}
	if !e.End.IsZero() {
		o.EndDateTime = isoTime(e.End)
	}
	ms := e.updatedAt.UnixMilli()
	for _, n := range slices.Sorted(maps.Keys(e.CustomProperties)) {
		o.CustomProperties = append(o.CustomProperties, propertyValue{Name: n, Value: e.CustomProperties[n],
			Timestamp: ms, Source: "INTEGRATION", SourceID: "hubspottest", SourceLabel: "hubspottest",
			SourceVid: []int64{}, RequestID: "", PersistenceTimestamp: ms, DataSensitivity: "none",
			MaskedSubstrings: maskedSubstrings{Substrings: []struct{}{}}})
	}
	if withCounts {
		o.ExternalEventID = e.ExternalEventID
		n := e.counts()
		o.attendanceCounts = &n
	}
	return o
}

// counts derives the event's counters from its participations. A no-show is
// a registrant of a completed event who neither attended nor cancelled.
func (e *marketingEvent) counts() attendanceCounts {
	states := map[string]map[string]bool{}
	for _, p := range e.parts {
		if states[p.State] == nil {
			states[p.State] = map[string]bool{}
		}
		states[p.State][p.ContactID] = true
	}
	n := attendanceCounts{Registrants: len(states["register"]), Attendees: len(states["attend"]),
		Cancellations: len(states["cancel"])}
	if e.Completed {
		for id := range states["register"] {
			if !states["attend"][id] && !states["cancel"][id] {
				n.NoShows++
			}
		}
	}
	return n
}

// parseDateTime accepts ISO 8601 or epoch milliseconds.
func parseDateTime(v string) (time.Time, error) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Parse(time.RFC3339Nano, v)
}

// POST /marketing/v3/marketing-events/events/upsert → 200. Any invalid input
// fails the whole batch (the spec lists no 207 for this operation).
func (s *Server) upsertMarketingEvents(c *call) {
	inputs, ok := decodeInputs[marketingEventInput](s, c)
	if !ok {
		return
	}
	started := isoTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	defs := s.props["marketing_events"].props

	seen := map[string]bool{}
	var dups []string
	plans := make([]marketingEventPlan, 0, len(inputs))
	for n, i := range inputs {
		p, msg := planMarketingEvent(n, i, defs)
		if msg != "" {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil)
			return
		}
		k := eventKey(i.ExternalAccountID, i.ExternalEventID)
		if seen[k] {
			dups = append(dups, i.ExternalEventID)
		}
		seen[k] = true
		plans = append(plans, p)
	}
	if len(dups) > 0 {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Duplicate IDs found in batch input: [%s]. IDs must be unique", strings.Join(dups, ", ")),
			func(b *errorBody) { b.Context = map[string][]string{"ids": dups} })
		return
	}
	now := s.now()
	results := make([]marketingEventResponse, 0, len(plans))
	for _, p := range plans {
		results = append(results, s.applyMarketingEvent(p, now).response(false))
		c.write = true
	}
	shuffle(s, results)
	writeBatchResponse(s, c, http.StatusOK, started, results, nil)
}

// marketingEventPlan is one validated marketing event upsert.
type marketingEventPlan struct {
	in         marketingEventInput
	start, end time.Time
	props      map[string]string
}

// planMarketingEvent validates upsert input n: required fields, dates,
// custom property values. It returns HubSpot's message on failure.
func planMarketingEvent(n int, i marketingEventInput, defs map[string]*property) (marketingEventPlan, string) {
	blank := func(v string) bool { return strings.TrimSpace(v) == "" }
	if msg := unsetFields(required{"externalAccountId", blank(i.ExternalAccountID)},
		required{"externalEventId", blank(i.ExternalEventID)}, required{"eventName", blank(i.EventName)},
		required{"eventOrganizer", blank(i.EventOrganizer)}); msg != "" {
		return marketingEventPlan{}, fmt.Sprintf("inputs[%d]: %s", n, msg)
	}
	p := marketingEventPlan{in: i, props: map[string]string{}}
	for _, f := range []struct {
		name, v string
		dst     *time.Time
	}{{"startDateTime", i.StartDateTime, &p.start}, {"endDateTime", i.EndDateTime, &p.end}} {
		if f.v == "" {
			continue
		}
		t, err := parseDateTime(f.v)
		if err != nil {
			return marketingEventPlan{}, fmt.Sprintf("inputs[%d]: %s %q is not a valid date-time", n, f.name, f.v)
		}
		*f.dst = t.UTC().Truncate(time.Millisecond)
	}
	if !p.start.IsZero() && !p.end.IsZero() && p.end.Before(p.start) {
		return marketingEventPlan{}, fmt.Sprintf("inputs[%d]: endDateTime is before startDateTime", n)
	}
	if i.CustomProperties == nil {
		return p, ""
	}
	for _, cp := range *i.CustomProperties {
		def, ok := defs[cp.Name]
		if ok && def.ModificationMetadata.ReadOnlyValue {
			return marketingEventPlan{}, propErrorsMessage([]propError{*readOnlyProperty(cp.Name)})
		}
		if !ok || def.Archived {
			return marketingEventPlan{}, propErrorsMessage([]propError{*noSuchProperty(cp.Name)})
		}
		v, perr := checkValue(def, string(cp.Value))
		if perr != nil {
			return marketingEventPlan{}, propErrorsMessage([]propError{*perr})
		}
		p.props[cp.Name] = v
	}
	return p, ""
}

// applyMarketingEvent creates or updates the event of one planned upsert.
// Upsert replaces the fields it is given; absent optional fields keep their value.
func (s *Server) applyMarketingEvent(p marketingEventPlan, now time.Time) *marketingEvent {
	k := eventKey(p.in.ExternalAccountID, p.in.ExternalEventID)
	e, ok := s.mevents.byKey[k]
	if !ok {
		e = &marketingEvent{createdAt: now, parts: map[string]*Participation{}, partCreated: map[string]time.Time{},
			partID: map[string]int{}}
		e.ObjectID = strconv.Itoa(s.mevents.nextID)
		s.mevents.nextID++
		e.ExternalAccountID, e.ExternalEventID = p.in.ExternalAccountID, p.in.ExternalEventID
		e.CustomProperties = map[string]string{}
		s.mevents.byKey[k] = e
		s.mevents.order = append(s.mevents.order, k)
	}
	e.Name, e.Organizer = p.in.EventName, p.in.EventOrganizer
	setIf := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	setIf(&e.Type, p.in.EventType)
	setIf(&e.URL, p.in.EventURL)
	setIf(&e.Description, p.in.EventDescription)
	if !p.start.IsZero() {
		e.Start = p.start
	}
	if !p.end.IsZero() {
		e.End = p.end
	}
	if p.in.EventCancelled != nil {
		e.Cancelled = *p.in.EventCancelled
	}
	if p.in.EventCompleted != nil {
		e.Completed = *p.in.EventCompleted
	}
	maps.Copy(e.CustomProperties, p.props)
	e.updatedAt = now
	e.Writes++
	return e
}

// GET /marketing/v3/marketing-events/events/{externalEventId}?externalAccountId=
func (s *Server) getMarketingEvent(c *call) {
	account := c.query("externalAccountId")
	if account == "" {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Query parameter externalAccountId is required", nil)
		return
	}
	s.mu.Lock()
	e := s.mevents.find(account, c.param("externalEventId"))
	var o marketingEventResponse
	if e != nil {
		o = e.response(true)
	}
	s.mu.Unlock()
	if e == nil {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND",
			fmt.Sprintf("Marketing event %s of external account %s does not exist", c.param("externalEventId"), account), nil)
		return
	}
	s.writeJSON(c, http.StatusOK, o)
}

// allowedParticipationProps are the participation properties each subscriber
// state accepts (spec: for "attend" only joinedAt and leftAt).
var allowedParticipationProps = map[string][]string{
	"register": {},
	"attend":   {"joinedAt", "leftAt"},
	"cancel":   {},
}

// attendanceTarget finds the event and checks the subscriber state of an
// attendance call, answering 400/404 itself. Call with s.mu held.
func (s *Server) attendanceTarget(c *call) (*marketingEvent, string, bool) {
	state := c.param("subscriberState")
	if _, ok := allowedParticipationProps[state]; !ok {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Invalid subscriberState %q: use register, attend or cancel", state), nil)
		return nil, "", false
	}
	e := s.mevents.find(c.query("externalAccountId"), c.param("externalEventId"))
	if e == nil {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND",
			fmt.Sprintf("Marketing event %s of external account %q does not exist", c.param("externalEventId"), c.query("externalAccountId")), nil)
		return nil, "", false
	}
	return e, state, true
}

// checkParticipationProps validates an input's properties for state.
func checkParticipationProps(state string, props map[string]scalarString) (map[string]string, string) {
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if !slices.Contains(allowedParticipationProps[state], k) {
			return nil, fmt.Sprintf("Property %q is not allowed for subscriber state %s (allowed: %v)", k, state, allowedParticipationProps[state])
		}
		v := string(props[k])
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Sprintf("Property %s must be epoch milliseconds, got %q", k, v)
		}
		out[k] = v
	}
	return out, ""
}

// record adds or refreshes one participation; re-sending the same (contact,
// state) updates it in place.
func (e *marketingEvent) record(ct *contact, state string, at time.Time, props map[string]string, now time.Time) {
	k := ct.id + "\x00" + state
	p, ok := e.parts[k]
	if !ok {
		p = &Participation{ContactID: ct.id, State: state}
		e.parts[k] = p
		e.partCreated[k] = now
		e.partID[k] = len(e.partID) + 1
	}
	p.Email = ct.props["email"]
	p.OccurredAt = at
	p.Properties = props
	p.Writes++
	e.updatedAt = now
}

// POST /marketing/v3/marketing-events/attendance/{externalEventId}/{subscriberState}/create
// records participations by contact id; it never creates a contact. The
// spec lists only 200: inputs that fail are in errors[] with context.vids.
func (s *Server) attendanceByID(c *call) {
	type input struct {
		Vid                 *int64                  `json:"vid"`
		InteractionDateTime *int64                  `json:"interactionDateTime"`
		Properties          map[string]scalarString `json:"properties"`
	}
	type vidResult struct {
		Vid int64 `json:"vid"`
	}
	recordAttendance(s, c, "vid", func(i input) (bool, *int64) { return i.Vid != nil, i.InteractionDateTime },
		func(e *marketingEvent, state string, i input, now time.Time) (vidResult, *standardError) {
			vid := strconv.FormatInt(*i.Vid, 10)
			ctx := map[string][]string{"vids": {vid}}
			ct, ok := s.contacts.byID[vid]
			if !ok || ct.archived {
				return vidResult{}, refuse("OBJECT_NOT_FOUND",
					fmt.Sprintf("Contact %s does not exist; attendance by id never creates contacts", vid), ctx)
			}
			props, msg := checkParticipationProps(state, i.Properties)
			if msg != "" {
				return vidResult{}, refuse("VALIDATION_ERROR", msg, ctx)
			}
			e.record(ct, state, time.UnixMilli(*i.InteractionDateTime).UTC(), props, now)
			return vidResult{Vid: *i.Vid}, nil
		})
}

// recordAttendance answers an attendance batch: every input must set its key
// (named keyField) and interactionDateTime, as present tells, else 400; then,
// under s.mu, each input is recorded on the path's event by apply, whose
// refusals are errors[] of an answer that is always 200.
func recordAttendance[I, R any](s *Server, c *call, keyField string, present func(I) (key bool, at *int64),
	apply func(e *marketingEvent, state string, i I, now time.Time) (R, *standardError)) {
	inputs, ok := decodeInputs[I](s, c)
	if !ok {
		return
	}
	for n, i := range inputs {
		if key, at := present(i); !key || at == nil {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("inputs[%d]: Some required fields were not set: [%s, interactionDateTime]", n, keyField), nil)
			return
		}
	}
	started := isoTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	e, state, ok := s.attendanceTarget(c)
	if !ok {
		return
	}
	now := s.now()
	results := []R{}
	var errs []standardError
	for _, i := range inputs {
		r, serr := apply(e, state, i, now)
		if serr != nil {
			errs = append(errs, *serr)
			continue
		}
		c.write = true
		results = append(results, r)
	}
	shuffle(s, results)
	writeBatchAlwaysOK(s, c, started, results, errs)
}

// refuse is newStandardError for one refused input of a batch.
func refuse(category, message string, context map[string][]string) *standardError {
	e := newStandardError(category, message, context)
	return &e
}

// POST /marketing/v3/marketing-events/attendance/{externalEventId}/{subscriberState}/email-create
// records participations by email and CREATES a contact for an unknown email
// (contactProperties apply only then), as HubSpot does. Served for fidelity:
// zoomsync must not call it (excluded people would become contacts).
func (s *Server) attendanceByEmail(c *call) {
	type input struct {
		Email               string                  `json:"email"`
		InteractionDateTime *int64                  `json:"interactionDateTime"`
		Properties          map[string]scalarString `json:"properties"`
		ContactProperties   map[string]scalarString `json:"contactProperties"`
	}
	type emailResult struct {
		Email string `json:"email"`
		Vid   int64  `json:"vid"`
	}
	recordAttendance(s, c, "email", func(i input) (bool, *int64) { return i.Email != "", i.InteractionDateTime },
		func(e *marketingEvent, state string, i input, now time.Time) (emailResult, *standardError) {
			ctx := map[string][]string{"emails": {i.Email}}
			if !validEmail(i.Email) {
				return emailResult{}, refuse("VALIDATION_ERROR", propErrorsMessage([]propError{{
					Message: fmt.Sprintf("Email address %s is invalid", i.Email), Error: "INVALID_EMAIL", Name: "email"}}), ctx)
			}
			props, msg := checkParticipationProps(state, i.Properties)
			if msg != "" {
				return emailResult{}, refuse("VALIDATION_ERROR", msg, ctx)
			}
			ct := s.contacts.byEmail(i.Email, false)
			if ct == nil {
				values, perrs := checkAttendeeProps(s.props["contacts"].props, i.ContactProperties)
				if len(perrs) > 0 {
					return emailResult{}, refuse("VALIDATION_ERROR", propErrorsMessage(perrs), ctx)
				}
				ct = s.contacts.create(strings.ToLower(i.Email), now)
				maps.Copy(ct.props, values)
				s.contacts.reindex(ct)
			}
			e.record(ct, state, time.UnixMilli(*i.InteractionDateTime).UTC(), props, now)
			vid, _ := strconv.ParseInt(ct.id, 10, 64)
			return emailResult{Email: i.Email, Vid: vid}, nil
		})
}

// checkAttendeeProps validates the contactProperties of an attendance input
// that creates a contact: writable contact properties other than email.
func checkAttendeeProps(defs map[string]*property, in map[string]scalarString) (map[string]string, []propError) {
	return checkPropsBy(defs, in, func(name string, p *property) *propError {
		if p == nil || p.ModificationMetadata.ReadOnlyValue || name == "email" {
			return noSuchProperty(name)
		}
		return nil
	})
}

// GET /marketing/v3/marketing-events/participations/{externalAccountId}/{externalEventId}
func (s *Server) participationCounters(c *call) {
	s.mu.Lock()
	e := s.mevents.find(c.param("externalAccountId"), c.param("externalEventId"))
	var n attendanceCounts
	if e != nil {
		n = e.counts()
	}
	s.mu.Unlock()
	if e == nil {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "Marketing event not found", nil)
		return
	}
	s.writeJSON(c, http.StatusOK, map[string]int{"registered": n.Registrants, "attended": n.Attendees,
		"cancelled": n.Cancellations, "noShows": n.NoShows})
}

var attendanceStates = map[string]string{"register": "REGISTERED", "attend": "ATTENDED", "cancel": "CANCELLED"}

// GET /marketing/v3/marketing-events/participations/{externalAccountId}/{externalEventId}/breakdown
// lists one row per (contact, state), by contact id; ?state=REGISTERED|ATTENDED|CANCELLED,
// ?contactIdentifier= (id or email), ?limit ≤ 100 (default 10), ?after.
func (s *Server) participationBreakdown(c *call) {
	q := c.r.URL.Query()
	limit, after, ok := s.paging(c, 10)
	if !ok {
		return
	}
	wantState, who := strings.ToUpper(q.Get("state")), strings.ToLower(q.Get("contactIdentifier"))
	s.mu.Lock()
	e := s.mevents.find(c.param("externalAccountId"), c.param("externalEventId"))
	if e == nil {
		s.mu.Unlock()
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "Marketing event not found", nil)
		return
	}
	keys := slices.SortedFunc(maps.Keys(e.parts), func(a, b string) int {
		pa, pb := e.parts[a], e.parts[b]
		if d := idNum(pa.ContactID) - idNum(pb.ContactID); d != 0 {
			return d
		}
		return strings.Compare(pa.State, pb.State)
	})
	type row struct {
		ID           string `json:"id"`
		CreatedAt    string `json:"createdAt"`
		Associations struct {
			Contact struct {
				ContactID string `json:"contactId"`
				Email     string `json:"email"`
				Firstname string `json:"firstname,omitempty"`
				Lastname  string `json:"lastname,omitempty"`
			} `json:"contact"`
			MarketingEvent struct {
				MarketingEventID  string `json:"marketingEventId"`
				Name              string `json:"name"`
				ExternalAccountID string `json:"externalAccountId"`
				ExternalEventID   string `json:"externalEventId"`
			} `json:"marketingEvent"`
		} `json:"associations"`
		Properties struct {
			AttendanceState           string `json:"attendanceState"`
			OccurredAt                int64  `json:"occurredAt"`
			AttendanceDurationSeconds *int   `json:"attendanceDurationSeconds,omitempty"`
		} `json:"properties"`
	}
	var all []row
	for _, k := range keys {
		p := e.parts[k]
		st := attendanceStates[p.State]
		if wantState != "" && st != wantState {
			continue
		}
		if who != "" && who != p.ContactID && who != p.Email {
			continue
		}
		var r row
		r.ID = strconv.Itoa(e.partID[k])
		r.CreatedAt = isoTime(e.partCreated[k])
		ct := &r.Associations.Contact
		ct.ContactID, ct.Email = p.ContactID, p.Email
		if x, ok := s.contacts.byID[p.ContactID]; ok {
			ct.Firstname, ct.Lastname = x.props["firstname"], x.props["lastname"]
		}
		me := &r.Associations.MarketingEvent
		me.MarketingEventID, me.Name, me.ExternalAccountID, me.ExternalEventID = e.ObjectID, e.Name, e.ExternalAccountID, e.ExternalEventID
		r.Properties.AttendanceState, r.Properties.OccurredAt = st, p.OccurredAt.UnixMilli()
		if j, errJ := strconv.ParseInt(p.Properties["joinedAt"], 10, 64); errJ == nil {
			if l, errL := strconv.ParseInt(p.Properties["leftAt"], 10, 64); errL == nil && l >= j {
				d := int((l - j) / 1000)
				r.Properties.AttendanceDurationSeconds = &d
			}
		}
		all = append(all, r)
	}
	s.mu.Unlock()
	page := []row{}
	next := ""
	for n, r := range all {
		if n < after {
			continue
		}
		if len(page) == limit {
			next = strconv.Itoa(n)
			break
		}
		page = append(page, r)
	}
	resp := map[string]any{"total": len(all), "results": page}
	if next != "" {
		resp["paging"] = map[string]any{"next": map[string]string{"after": next, "link": "?after=" + next}}
	}
	s.writeJSON(c, http.StatusOK, resp)
}
