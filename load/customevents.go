package load

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
)

// Routes of the contact timeline events (ActivityConfig.Events, the
// setting hubspot.events; docs/events.md).
const (
	// EventsTimeline sends timeline events of a public app (v3 timeline
	// API): HubSpot serves it only to apps that already have v1/v3
	// timeline events.
	EventsTimeline = "timeline"
	// EventsCustom sends custom events (custom behavioral events) with the
	// private-app token: an Enterprise subscription and the scopes
	// hubspot.ScopeEventDefinitions and hubspot.ScopeEventsSend.
	EventsCustom = "custom"
	// EventsOff sends none; every event gets an audit row.
	EventsOff = "off"
)

// customEventsNeed says what custom events need, for notices and audit rows.
var customEventsNeed = fmt.Sprintf("they need an Enterprise subscription and a private-app token with the scopes %s and %s",
	hubspot.ScopeEventDefinitions, hubspot.ScopeEventsSend)

// EventRoutes are the values of hubspot.events, the default first.
var EventRoutes = []string{EventsTimeline, EventsCustom, EventsOff}

// Object types of load_state for custom events.
const (
	// ObjectCustomEvent is an occurrence sent, keyed like a timeline event
	// ("<template>/<event id>"); crm_id is the contact's id.
	ObjectCustomEvent = "custom_event"
	// ObjectEventDefinition is a custom event definition, keyed by name;
	// crm_id is its fullyQualifiedName.
	ObjectEventDefinition = "custom_event_definition"
)

// CustomEventIDProperty is the property every custom event carries its
// zoomsync id in (EventUID's hex), so that an occurrence whose answer was
// lost can be looked for before it is sent again.
const CustomEventIDProperty = "zoomsync_event_id"

// customProperty maps a timeline token to its custom event property.
// recordingUrl goes to HubSpot's default property hs_url, which takes
// 200 characters where other values take 50.
var customProperty = map[string]string{
	"webinarId": "webinar_id", "webinarName": "webinar_name", "date": "webinar_date",
	"joinTime": "join_time", "leaveTime": "leave_time", "minutesPresent": "minutes_present",
	"percentPresent": "percent_present", "topic": "topic", "startTime": "start_time", "recordingUrl": "hs_url",
}

// CustomEventDefinitions returns the custom event definitions zoomsync
// creates, named like the timeline templates (TimelineTemplates), once;
// load_state keeps their fullyQualifiedName. Each call returns new values.
func CustomEventDefinitions() []*hubspot.EventDefinitionInput {
	str := func(name, label string) hubspot.EventProperty {
		return hubspot.EventProperty{Name: name, Label: label, Type: "string"}
	}
	num := func(name, label string) hubspot.EventProperty {
		return hubspot.EventProperty{Name: name, Label: label, Type: "number"}
	}
	when := func(name, label string) hubspot.EventProperty {
		return hubspot.EventProperty{Name: name, Label: label, Type: "datetime"}
	}
	id := str(CustomEventIDProperty, "zoomsync event id")
	return []*hubspot.EventDefinitionInput{
		{Name: TemplateRegistration, Label: "Registered for a Zoom webinar", PrimaryObject: "CONTACT",
			PropertyDefinitions: []hubspot.EventProperty{str("webinar_id", "Webinar id"), str("webinar_name", "Webinar"), id}},
		{Name: TemplateAttendance, Label: "Attended a Zoom webinar", PrimaryObject: "CONTACT",
			PropertyDefinitions: []hubspot.EventProperty{str("webinar_id", "Webinar id"), str("webinar_name", "Webinar"),
				str("webinar_date", "Date"), when("join_time", "Joined"), when("leave_time", "Left"),
				num("minutes_present", "Minutes present"), num("percent_present", "Percent present"), id}},
		{Name: TemplateRecording, Label: "Zoom webinar recording available", PrimaryObject: "CONTACT",
			PropertyDefinitions: []hubspot.EventProperty{str("topic", "Topic"), when("start_time", "Started"), id}},
	}
}

// EventUID is the zoomsync id of an event's occurrence: the first 32 hex
// digits of sha256(key), laid out as a UUID (sent as uuid, and its hex as
// CustomEventIDProperty).
func EventUID(key string) string {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// events sends the contact timeline events by the configured route, then
// writes an audit row for every event not created.
func (a *activity) events(ctx context.Context) error {
	var err error
	switch a.cfg.Events {
	case EventsOff:
		err = a.skipEvents(ctx, "", "hubspot.events is off", nil)
	case EventsCustom:
		err = a.customEvents(ctx)
	case "", EventsTimeline:
		err = a.timeline(ctx)
	default:
		return fmt.Errorf("events route %q: want %s", a.cfg.Events, strings.Join(EventRoutes, ", "))
	}
	if err != nil {
		return err
	}
	return a.auditEvents(ctx)
}

// customEvents sends the events as custom events. An occurrence cannot be
// updated and HubSpot has no upsert for it, so an event is sent until
// HubSpot acknowledges it once (load_state), and never again, even when
// its content changed; an event that the timeline route created counts as
// unchanged. A send whose answer was lost (unknown) is not resent blindly:
// the next run looks for it in HubSpot by its CustomEventIDProperty first
// (docs/events.md says what risk remains).
func (a *activity) customEvents(ctx context.Context) error {
	names, err := a.ensureDefinitions(ctx)
	if errors.Is(err, hubspot.ErrCustomEventsUnavailable) {
		return a.skipEvents(ctx, "custom events", "HubSpot refused custom events: "+customEventsNeed, err)
	}
	if err != nil {
		return err
	}
	st, err := a.customEventState(ctx)
	if err != nil {
		return err
	}
	s := newSink(a.recorder, sinkSpec[*hubspot.CustomEvent]{
		objectType: ObjectCustomEvent,
		counts:     &a.sum.TimelineEvents,
		batchSize:  hubspot.MaxEventBatch,
		write:      a.sendCustomEvents,
		onBatchError: func(_ int, err error) error {
			if errors.Is(err, hubspot.ErrCustomEventsUnavailable) {
				return errGiveUp
			}
			return nil
		},
	})
	var found []ack
	err = a.eachEventRow(ctx, func(r *eventRow) error {
		ack, err := a.addCustomEvent(ctx, r, names, st, s)
		if ack != nil {
			found = append(found, *ack)
		}
		return err
	})
	if err != nil {
		_ = s.wait() // the batches in flight are recorded first
		return err
	}
	if err := s.close(ctx); err != nil {
		return err
	}
	if err := a.record(ctx, outcomes{ObjectCustomEvent, &a.sum.TimelineEvents, found}); err != nil {
		return err
	}
	if s.gaveUp != nil {
		a.eventsWhy = fmt.Sprintf("HubSpot refused custom events (%s): %s", refusal(s.gaveUp), customEventsNeed)
		a.sum.Notices = append(a.sum.Notices, fmt.Sprintf("custom events skipped (%d): HubSpot refused them (%v): %s", s.skipped, s.gaveUp, customEventsNeed))
	}
	return nil
}

// customEventState is what the custom event route knows before sending:
// the events acknowledged by either route and the keys whose send an
// earlier run left unknown.
type customEventState struct {
	sent, timeline map[string]acked
	unknown        map[string]bool
}

func (a *activity) customEventState(ctx context.Context) (*customEventState, error) {
	st := &customEventState{unknown: map[string]bool{}}
	var err error
	if st.sent, err = a.stateOf(ctx, ObjectCustomEvent); err != nil {
		return nil, err
	}
	if st.timeline, err = a.stateOf(ctx, ObjectTimelineEvent); err != nil {
		return nil, err
	}
	rows, err := a.cfg.DB.QueryContext(ctx, `SELECT DISTINCT key FROM load_log WHERE object_type = ? AND outcome = ?`,
		ObjectCustomEvent, OutcomeUnknown)
	if err != nil {
		return nil, fmt.Errorf("reading load log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		st.unknown[k] = true
	}
	return st, rows.Err()
}

// addCustomEvent adds one event to s, unless it was acknowledged (by
// either route), or an earlier send of it had no answer and HubSpot has it:
// then it returns the ack that records it, unsent.
func (a *activity) addCustomEvent(ctx context.Context, r *eventRow, names map[string]string, st *customEventState, s *sink[*hubspot.CustomEvent]) (*ack, error) {
	key := r.key()
	cid, ok := a.contactIDs[r.email]
	if !ok {
		s.skip(key, "NO_CONTACT_ID", "the contact has no CRM id yet (not loaded or refused); retried next run")
		return nil, nil
	}
	ev := customEventOf(r, cid, names[r.template])
	hp := maps.Clone(ev.Properties)
	hp["objectId"], hp["occurredAt"] = cid, ev.OccurredAt.Format(time.RFC3339)
	it := item[*hubspot.CustomEvent]{key: key, hash: hashProperties(hp), in: ev}
	if prev, sent := st.sent[key]; sent {
		it.prev, it.seen, it.hash = prev, true, prev.hash // immutable: never sent twice
	} else if prev, sent := st.timeline[key]; sent {
		it.prev, it.seen, it.hash = prev, true, prev.hash
	} else if st.unknown[key] && !a.cfg.DryRun {
		arrived, err := a.customEventArrived(ctx, ev)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.skip(key, "UNVERIFIED", fmt.Sprintf("an earlier send had no answer and HubSpot could not be asked whether it arrived (%v); not resent, asked again next run", err))
			return nil, nil
		}
		if arrived {
			return &ack{key: key, crmID: cid, hash: it.hash, outcome: OutcomeCreated, category: "FOUND_AFTER_UNKNOWN",
				message: "an earlier send had no answer; HubSpot has the event, so it is not sent again"}, nil
		}
	}
	return nil, s.add(ctx, it)
}

// customEventOf is the occurrence of an event row for contact cid.
// Values longer than HubSpot's 50 characters (hs_url: 200) are cut.
func customEventOf(r *eventRow, cid, eventName string) *hubspot.CustomEvent {
	uid := EventUID(r.key())
	props := map[string]string{CustomEventIDProperty: strings.ReplaceAll(uid, "-", "")}
	for tok, v := range r.tokens {
		name := customProperty[tok]
		limit := 50
		if name == "hs_url" {
			limit = 200
		}
		if rs := []rune(v); len(rs) > limit {
			v = string(rs[:limit])
		}
		props[name] = v
	}
	return &hubspot.CustomEvent{EventName: eventName, ObjectID: cid, OccurredAt: r.ts.UTC(), Properties: props, UUID: uid}
}

// customEventArrived asks HubSpot whether the contact has the occurrence.
func (a *activity) customEventArrived(ctx context.Context, ev *hubspot.CustomEvent) (bool, error) {
	id := ev.Properties[CustomEventIDProperty]
	occ, _, err := a.cfg.Client.Events.ListOccurrences(ctx, hubspot.OccurrenceFilter{ContactID: ev.ObjectID,
		EventType: ev.EventName, Property: map[string]string{CustomEventIDProperty: id}}, "")
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(occ, func(o *hubspot.Occurrence) bool { return o.Properties[CustomEventIDProperty] == id }), nil
}

// sendCustomEvents sends one batch. HubSpot answers a batch as a whole; a
// 400 refuses it (nothing is stored, as far as HubSpot documents), and then
// the events are sent one by one, so that only the bad ones fail.
func (a *activity) sendCustomEvents(ctx context.Context, batch []item[*hubspot.CustomEvent]) (answer, error) {
	events := make([]*hubspot.CustomEvent, len(batch))
	for i, it := range batch {
		events[i] = it.in
	}
	_, err := a.cfg.Client.Events.SendBatch(ctx, events)
	if errors.Is(err, hubspot.ErrBadRequest) && !errors.Is(err, hubspot.ErrUnknownOutcome) && len(batch) > 1 {
		return a.sendCustomEventsOneByOne(ctx, batch)
	}
	if err != nil {
		return answer{}, err
	}
	results := make([]result, len(batch))
	for i, it := range batch {
		results[i] = result{crmID: it.in.ObjectID}
	}
	return answer{results: results}, nil
}

// sendCustomEventsOneByOne sends each event of a refused batch alone.
func (a *activity) sendCustomEventsOneByOne(ctx context.Context, batch []item[*hubspot.CustomEvent]) (answer, error) {
	results := make([]result, len(batch))
	for i, it := range batch {
		if err := ctx.Err(); err != nil {
			results[i].err = &hubspot.BatchError{Status: "error", Category: "NOT_SENT", Message: err.Error()}
			continue
		}
		_, err := a.cfg.Client.Events.Send(ctx, it.in)
		switch {
		case err == nil:
			results[i].crmID = it.in.ObjectID
		case errors.Is(err, hubspot.ErrUnknownOutcome) || ctx.Err() != nil:
			results[i].err = &hubspot.BatchError{Status: "error", Category: hubspot.CategoryMissingResult, Message: err.Error()}
		default:
			results[i].err = &hubspot.BatchError{Status: "error", Category: errCategory(err), Message: err.Error()}
		}
	}
	return answer{results: results, stop: ctx.Err()}, nil
}

// ensureDefinitions returns the fullyQualifiedName per definition name:
// from load_state when the definition is unchanged, else looked up by name
// in HubSpot, else created. In a dry run nothing is looked up.
func (a *activity) ensureDefinitions(ctx context.Context) (map[string]string, error) {
	state, err := a.stateOf(ctx, ObjectEventDefinition)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	var acks []ack
	var ignored Counts
	for _, d := range CustomEventDefinitions() {
		h := definitionHash(d)
		if prev, ok := state[d.Name]; ok && prev.hash == h && prev.crmID != "" {
			names[d.Name] = prev.crmID
			continue
		}
		if a.cfg.DryRun {
			continue
		}
		got, err := a.definition(ctx, d)
		if err != nil {
			return nil, a.stopped(ctx, ObjectEventDefinition, &ignored, acks, err)
		}
		names[d.Name] = got.FullyQualifiedName
		acks = append(acks, ack{key: d.Name, crmID: got.FullyQualifiedName, hash: h, outcome: OutcomeUpdated})
	}
	return names, a.record(ctx, outcomes{ObjectEventDefinition, &ignored, acks})
}

// definition looks a definition up by name and creates it when HubSpot
// has none (a 409 on create: an earlier attempt made it; it is read). A
// definition that lacks properties zoomsync sends is an error.
func (a *activity) definition(ctx context.Context, d *hubspot.EventDefinitionInput) (*hubspot.EventDefinition, error) {
	ev := a.cfg.Client.Events
	got, _, err := ev.GetDefinition(ctx, d.Name)
	if errors.Is(err, hubspot.ErrNotFound) {
		got, _, err = ev.CreateDefinition(ctx, d)
		switch {
		case errors.Is(err, hubspot.ErrConflict):
			got, _, err = ev.GetDefinition(ctx, d.Name)
		case err == nil:
			a.sum.DefinitionsCreated = append(a.sum.DefinitionsCreated, d.Name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("custom event definition %s: %w", d.Name, err)
	}
	var missing []string
	for _, p := range d.PropertyDefinitions {
		if !slices.ContainsFunc(got.Properties, func(x hubspot.EventProperty) bool { return x.Name == p.Name }) {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("custom event definition %s exists without the properties %s: add them in HubSpot (or delete the definition) and run again",
			d.Name, strings.Join(missing, ", "))
	}
	return got, nil
}

func definitionHash(d *hubspot.EventDefinitionInput) string {
	p := map[string]string{"name": d.Name, "label": d.Label}
	for _, x := range d.PropertyDefinitions {
		p["property."+x.Name] = x.Type
	}
	return hashProperties(p)
}
