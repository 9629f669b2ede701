package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
)

// Timeline event template names (DESIGN.md, "What the CRM receives").
const (
	TemplateRegistration = "zoom_webinar_registration"
	TemplateAttendance   = "zoom_webinar_attendance"
	TemplateRecording    = "zoom_recording_available"
)

// TimelineTemplates returns the event templates zoomsync creates in the
// public app, once; their ids are kept in load_state (object type
// timeline_template, key "<app id>/<name>"). Each call returns new values.
func TimelineTemplates() []*hubspot.EventTemplate {
	return []*hubspot.EventTemplate{
		{Name: TemplateRegistration, ObjectType: "contacts",
			HeaderTemplate: "Registered for the Zoom webinar {{webinarName}}",
			DetailTemplate: "Webinar {{webinarId}}",
			Tokens: []hubspot.TemplateToken{
				{Name: "webinarId", Label: "Webinar id", Type: "string"},
				{Name: "webinarName", Label: "Webinar", Type: "string"},
			}},
		{Name: TemplateAttendance, ObjectType: "contacts",
			HeaderTemplate: "Attended the Zoom webinar {{webinarName}}",
			DetailTemplate: "{{minutesPresent}} minutes ({{percentPresent}}%) on {{date}}",
			Tokens: []hubspot.TemplateToken{
				{Name: "webinarId", Label: "Webinar id", Type: "string"},
				{Name: "webinarName", Label: "Webinar", Type: "string"},
				{Name: "date", Label: "Date", Type: "string"},
				{Name: "joinTime", Label: "Joined", Type: "date"},
				{Name: "leaveTime", Label: "Left", Type: "date"},
				{Name: "minutesPresent", Label: "Minutes present", Type: "number"},
				{Name: "percentPresent", Label: "Percent present", Type: "number"},
			}},
		{Name: TemplateRecording, ObjectType: "contacts",
			HeaderTemplate: "Recording available: {{topic}}",
			DetailTemplate: "{{recordingUrl}}",
			Tokens: []hubspot.TemplateToken{
				{Name: "topic", Label: "Topic", Type: "string"},
				{Name: "startTime", Label: "Started", Type: "date"},
				{Name: "recordingUrl", Label: "Recording URL", Type: "string"},
			}},
	}
}

// timelineQuery lists every timeline event: one per registration, one per
// attendance, and one per recording and attendee; audit_webinar_id is the
// webinar of each, for the audit (not a token).
const timelineQuery = `
SELECT 'zoom_webinar_registration' AS template, event_id, email, create_time AS ts,
       CAST(webinar_id AS VARCHAR) AS webinar_id, webinar_name,
       NULL AS date, NULL AS join_time, NULL AS leave_time, NULL AS minutes, NULL AS percent,
       NULL AS topic, NULL AS start_time, NULL AS url, webinar_id AS audit_webinar_id
FROM registration_events
UNION ALL
SELECT 'zoom_webinar_attendance', event_id, email, join_time,
       CAST(webinar_id AS VARCHAR), webinar_name, date,
       CAST(epoch_ms(join_time) AS VARCHAR), CAST(epoch_ms(leave_time) AS VARCHAR),
       CAST(minutes_present AS VARCHAR), CAST(percent_present AS VARCHAR),
       NULL, NULL, NULL, webinar_id
FROM attendance_events
UNION ALL
SELECT 'zoom_recording_available', event_id || '-' || left(sha256(u.email), 16), u.email, start_time,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       topic, CAST(epoch_ms(start_time) AS VARCHAR), recording_url, webinar_id
FROM recording_events, unnest(attendees) AS u(email)
ORDER BY 1, 2`

// timelineTokens names the token columns of timelineQuery, in order.
var timelineTokens = [10]string{"webinarId", "webinarName", "date", "joinTime", "leaveTime", "minutesPresent", "percentPresent", "topic", "startTime", "recordingUrl"}

// eventRow is one row of timelineQuery: an event of the contact's
// timeline, whichever route (timeline, custom events) carries it.
type eventRow struct {
	template, id, email string
	ts                  time.Time
	tokens              map[string]string // the non-null token columns
}

// key is the row's load_state key, the same for both routes.
func (r *eventRow) key() string { return r.template + "/" + r.id }

// eachEventRow calls fn with every row of timelineQuery.
func (a *activity) eachEventRow(ctx context.Context, fn func(*eventRow) error) error {
	rows, err := a.cfg.DB.QueryContext(ctx, timelineQuery)
	if err != nil {
		return fmt.Errorf("reading timeline events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r eventRow
		var c [10]sql.NullString
		var webinar sql.NullInt64
		if err := rows.Scan(&r.template, &r.id, &r.email, &r.ts, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9], &webinar); err != nil {
			return err
		}
		r.tokens = map[string]string{}
		for i, v := range c {
			if v.Valid {
				r.tokens[timelineTokens[i]] = v.String
			}
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// timeline sends the timeline events, when a public app is configured;
// otherwise, or when HubSpot refuses the app templates or its token, it
// counts them as skipped with one notice (the audit names each).
func (a *activity) timeline(ctx context.Context) error {
	if a.cfg.TimelineApp == "" || !a.cfg.TimelineReady {
		return a.skipEvents(ctx, "timeline events", "HubSpot accepts them only from a public app; set hubspot.timeline.app_id in zoomsync.yaml and HUBSPOT_DEVELOPER_KEY and HUBSPOT_APP_TOKEN to send them, or hubspot.events: custom (Enterprise)", nil)
	}
	templates, err := a.ensureTemplates(ctx)
	if errors.Is(err, hubspot.ErrTimelineUnavailable) {
		return a.skipEvents(ctx, "timeline events", fmt.Sprintf(
			"HubSpot refused event templates to app %s: it serves the timeline API only to apps that already have v1/v3 timeline events; set hubspot.events: custom (Enterprise) or off", a.cfg.TimelineApp), err)
	}
	if err != nil {
		return err
	}
	state, err := a.stateOf(ctx, ObjectTimelineEvent)
	if err != nil {
		return err
	}
	s := newSink(a.recorder, sinkSpec[*hubspot.TimelineEvent]{
		objectType: ObjectTimelineEvent,
		counts:     &a.sum.TimelineEvents,
		write:      a.sendTimelineEvents,
		onBatchError: func(_ int, err error) error {
			if errors.Is(err, hubspot.ErrPublicAppRequired) {
				return errGiveUp
			}
			return nil
		},
	})
	if err := a.eachTimelineEvent(ctx, templates, state, s); err != nil {
		_ = s.wait() // the batches in flight are recorded first
		return err
	}
	if err := s.close(ctx); err != nil {
		return err
	}
	if s.gaveUp != nil {
		a.eventsWhy = fmt.Sprintf("HubSpot refused the app token (%s): HUBSPOT_APP_TOKEN must be the public app's OAuth access token", refusal(s.gaveUp))
		a.sum.Notices = append(a.sum.Notices, fmt.Sprintf(
			"timeline events skipped (%d): HubSpot refused the app token (%v); HUBSPOT_APP_TOKEN must be the public app's OAuth access token",
			s.skipped, s.gaveUp))
	}
	return nil
}

// skipEvents counts every event as skipped, with one notice ("<what>
// skipped (n): why (cause)"; none when what is empty). The audit detail of
// each event is why with the status of HubSpot's refusal (refusal), not
// the whole error: one short line per row.
func (a *activity) skipEvents(ctx context.Context, what, why string, cause error) error {
	var n int
	if err := a.cfg.DB.QueryRowContext(ctx, "SELECT count(*) FROM ("+timelineQuery+")").Scan(&n); err != nil {
		return fmt.Errorf("counting timeline events: %w", err)
	}
	a.sum.TimelineEvents.Skipped = n
	a.eventsWhy = why
	notice := why
	if cause != nil {
		a.eventsWhy = fmt.Sprintf("%s (%s)", why, refusal(cause))
		notice = fmt.Sprintf("%s (%v)", why, cause)
	}
	if n > 0 && what != "" {
		a.sum.Notices = append(a.sum.Notices, fmt.Sprintf("%s skipped (%d): %s", what, n, notice))
	}
	return nil
}

// refusal names HubSpot's refusal in err by status and category ("403
// MISSING_SCOPES"), or is err's text when HubSpot gave no answer.
func refusal(err error) string {
	ae, ok := errors.AsType[*hubspot.APIError](err)
	if !ok {
		return err.Error()
	}
	s := fmt.Sprintf("HubSpot answered %d %s", ae.StatusCode, ae.Category)
	if ae.SubCategory != "" {
		s += "/" + ae.SubCategory
	}
	return s
}

// eachTimelineEvent adds the rows of timelineQuery to s. An event that
// custom events already created (hubspot.events was custom) counts as
// unchanged: it is on the contact's timeline once.
func (a *activity) eachTimelineEvent(ctx context.Context, templates map[string]string, state map[string]acked, s *sink[*hubspot.TimelineEvent]) error {
	other, err := a.stateOf(ctx, ObjectCustomEvent)
	if err != nil {
		return err
	}
	return a.eachEventRow(ctx, func(r *eventRow) error {
		key := r.key()
		cid, ok := a.contactIDs[r.email]
		if !ok {
			s.skip(key, "NO_CONTACT_ID", "the contact has no CRM id yet (not loaded or refused); retried next run")
			return nil
		}
		hp := map[string]string{"objectId": cid, "timestamp": r.ts.UTC().Format(time.RFC3339)}
		for k, v := range r.tokens {
			hp["token."+k] = v
		}
		it := item[*hubspot.TimelineEvent]{key: key, hash: hashProperties(hp), in: &hubspot.TimelineEvent{
			EventTemplateID: templates[r.template], ID: r.id, ObjectID: cid, Timestamp: r.ts.UTC(), Tokens: r.tokens}}
		it.prev, it.seen = state[key]
		if prev, sent := other[key]; sent {
			it.prev, it.seen, it.hash = prev, true, prev.hash
		}
		return s.add(ctx, it)
	})
}

// sendTimelineEvents writes one batch. Re-sending an id rewrites the same
// event: an update.
func (a *activity) sendTimelineEvents(ctx context.Context, batch []item[*hubspot.TimelineEvent]) (answer, error) {
	events := make([]*hubspot.TimelineEvent, len(batch))
	for i, it := range batch {
		events[i] = it.in
	}
	outs, _, err := a.cfg.Client.Timeline.BatchCreate(ctx, events)
	if err != nil {
		return answer{}, err
	}
	results := make([]result, len(batch))
	for i, it := range batch {
		results[i] = result{crmID: it.in.ObjectID, err: outs[i].Err}
	}
	return answer{results: results}, nil
}

// ensureTemplates returns the template id per name: from load_state when
// the definition is unchanged, else from the app's templates by name, else
// created. In a dry run nothing is created.
//
// A create whose answer was lost (a timeout, a reset, a 5xx) is not resent:
// HubSpot may have created the template, and it takes a second one of the
// same name. The templates are listed again instead; when the template is
// not there (yet) the run stops, and the next run looks it up by name
// before creating it. The templates found so far are recorded either way.
func (a *activity) ensureTemplates(ctx context.Context) (map[string]string, error) {
	state, err := a.stateOf(ctx, ObjectTimelineTemplate)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	var acks []ack
	var ignored Counts
	var listed []*hubspot.EventTemplate
	listedOnce := false
	for _, t := range TimelineTemplates() {
		key := a.cfg.TimelineApp + "/" + t.Name
		h := templateHash(t)
		if prev, ok := state[key]; ok && prev.hash == h && prev.crmID != "" {
			ids[t.Name] = prev.crmID
			continue
		}
		if a.cfg.DryRun {
			continue
		}
		if !listedOnce {
			if listed, _, err = a.cfg.Client.Timeline.ListTemplates(ctx); err != nil {
				return nil, a.stopped(ctx, ObjectTimelineTemplate, &ignored, acks, fmt.Errorf("listing event templates: %w", err))
			}
			listedOnce = true
		}
		if i := templateNamed(listed, t.Name); i >= 0 {
			ids[t.Name] = listed[i].ID
			acks = append(acks, ack{key: key, crmID: listed[i].ID, hash: h, outcome: OutcomeUpdated})
			continue
		}
		created, err := a.createTemplate(ctx, t, &listed)
		if err != nil {
			return nil, a.stopped(ctx, ObjectTimelineTemplate, &ignored, acks, err)
		}
		ids[t.Name] = created.ID
		a.sum.TemplatesCreated = append(a.sum.TemplatesCreated, t.Name)
		acks = append(acks, ack{key: key, crmID: created.ID, hash: h, outcome: OutcomeCreated})
	}
	return ids, a.record(ctx, outcomes{ObjectTimelineTemplate, &ignored, acks})
}

// createTemplate creates an event template. When the answer is lost the
// create is not resent: the templates are listed again (into *listed) and
// the template looked for by name, since HubSpot may have created it.
func (a *activity) createTemplate(ctx context.Context, t *hubspot.EventTemplate, listed *[]*hubspot.EventTemplate) (*hubspot.EventTemplate, error) {
	created, _, err := a.cfg.Client.Timeline.CreateTemplate(ctx, t)
	if err == nil {
		return created, nil
	}
	err = fmt.Errorf("creating event template %s: %w", t.Name, err)
	if ctx.Err() != nil || errors.Is(err, hubspot.ErrTimelineUnavailable) {
		return nil, err // refused: nothing was created
	}
	var lerr error
	if *listed, _, lerr = a.cfg.Client.Timeline.ListTemplates(ctx); lerr != nil {
		return nil, fmt.Errorf("%w; listing event templates: %w", err, lerr)
	}
	i := templateNamed(*listed, t.Name)
	if i < 0 {
		return nil, fmt.Errorf("%w (not resent: the next run looks for it by name)", err)
	}
	a.cfg.Logger.WarnContext(ctx, "event template found after its create failed", "name", t.Name, "id", (*listed)[i].ID, "error", err)
	return (*listed)[i], nil
}

// templateNamed is the index of the template named name, or -1.
func templateNamed(listed []*hubspot.EventTemplate, name string) int {
	return slices.IndexFunc(listed, func(x *hubspot.EventTemplate) bool { return x.Name == name })
}

func templateHash(t *hubspot.EventTemplate) string {
	p := map[string]string{"name": t.Name, "header": t.HeaderTemplate, "detail": t.DetailTemplate}
	for _, tok := range t.Tokens {
		p["token."+tok.Name] = tok.Type + "|" + tok.Label
	}
	return hashProperties(p)
}
