package load

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
)

// Object types of load_state and load_log besides 'contact'.
const (
	ObjectMarketingEvent   = "marketing_event"
	ObjectParticipation    = "marketing_event_participation"
	ObjectTimelineTemplate = "timeline_template"
	ObjectTimelineEvent    = "timeline_event"
	ObjectCall             = "call"
)

// OutcomeSkipped: the row was not sent for a reason other than being
// unchanged (no contact id yet, timeline events not possible with the
// configured token). OutcomeLeftAsCreated: a call whose content changed
// since it was created; the client has no call update, so it stays as
// created (see Activity).
const (
	OutcomeSkipped       = "skipped"
	OutcomeLeftAsCreated = "left_as_created"
)

// MaxCallBody caps hs_call_body: HubSpot caps text values near 65,536
// characters (reference §3), and the call body also holds the recording
// URL and a note when the transcript is cut.
const MaxCallBody = 60000

// Timeline event template names (DESIGN.md, "What the CRM receives").
const (
	TemplateRegistration = "zoom_webinar_registration"
	TemplateAttendance   = "zoom_webinar_attendance"
	TemplateRecording    = "zoom_recording_available"
)

// TimelineTemplates are the event templates zoomsync creates in the public
// app, once; their ids are kept in load_state (object type
// timeline_template, key "<app id>/<name>").
var TimelineTemplates = []*hubspot.EventTemplate{
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

// ActivityConfig configures Activity.
type ActivityConfig struct {
	Client *hubspot.Client
	DB     *sql.DB // the catalog, with the activity views and load_state
	RunID  string
	DryRun bool // count what would be sent, send nothing, record nothing
	// ExternalAccountID keys the marketing events (required).
	ExternalAccountID string
	// Organizer is the marketing events' eventOrganizer; default "Zoom".
	Organizer string
	// TimelineApp is the public app id owning the event templates. Timeline
	// events are sent only when it is set and the client has the app's
	// developer key and OAuth token; otherwise they are skipped with one
	// notice.
	TimelineApp string
	// TimelineReady reports that the client has the developer key and the
	// OAuth token of TimelineApp.
	TimelineReady bool
	Logger        *slog.Logger
	Now           func() time.Time
}

// Counts are the outcomes of one object type. In a dry run Created and
// Updated count what would be sent.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped,omitempty"`
	Failed    int `json:"failed,omitempty"`
}

func (c *Counts) add(outcome string) {
	switch outcome {
	case OutcomeCreated:
		c.Created++
	case OutcomeUpdated:
		c.Updated++
	case OutcomeUnchanged:
		c.Unchanged++
	case OutcomeFailed:
		c.Failed++
	default:
		c.Skipped++
	}
}

// ActivitySummary counts what Activity did per object type.
type ActivitySummary struct {
	MarketingEvents Counts `json:"marketing_events"`
	Attendance      Counts `json:"attendance"`
	TimelineEvents  Counts `json:"timeline_events"`
	Calls           Counts `json:"calls"`
	// TemplatesCreated names the timeline templates created by this run.
	TemplatesCreated []string `json:"templates_created,omitempty"`
	// Notices are lines for the run summary (at most one per cause).
	Notices []string `json:"notices,omitempty"`
	// Failures maps "<object type> <key>" to the CRM's reason (first 20).
	Failures map[string]string `json:"failures,omitempty"`
}

// Activity sends the CRM activity of the activity views after the
// contacts: (a) marketing events and their participations by contact id,
// (b) timeline events when a public app is configured, (c) one call per
// recording associated with its attendees. Contact ids come from
// load_state; a person without one (not loaded, or refused) is skipped
// and picked up by a later run. Every object goes through load_state with
// a hash of what the CRM acknowledged, so a re-run sends only what changed,
// and every outcome lands in load_log.
//
// Calls have no natural key: the id of the call created for a recording is
// kept in load_state under the recording's event id, and a call is never
// created twice. The client has no call update, so a call whose content
// changed (a transcript that arrived later, other attendees) is left as
// created: logged as left_as_created and counted as skipped.
func Activity(ctx context.Context, cfg ActivityConfig) (*ActivitySummary, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Organizer == "" {
		cfg.Organizer = "Zoom"
	}
	if cfg.ExternalAccountID == "" {
		return nil, errors.New("activity: an external account id is required for marketing events")
	}
	if err := EnsureState(ctx, cfg.DB); err != nil {
		return nil, err
	}
	a := &activity{cfg: cfg, sum: &ActivitySummary{Failures: map[string]string{}}}
	var err error
	if a.contactIDs, err = a.loadContactIDs(ctx); err != nil {
		return nil, err
	}
	if err := a.marketingEvents(ctx); err != nil {
		return a.sum, fmt.Errorf("marketing events: %w", err)
	}
	if err := a.participations(ctx); err != nil {
		return a.sum, fmt.Errorf("marketing event attendance: %w", err)
	}
	if err := a.timeline(ctx); err != nil {
		return a.sum, fmt.Errorf("timeline events: %w", err)
	}
	if err := a.calls(ctx); err != nil {
		return a.sum, fmt.Errorf("calls: %w", err)
	}
	return a.sum, nil
}

type activity struct {
	cfg        ActivityConfig
	sum        *ActivitySummary
	contactIDs map[string]string // email → contact id
}

// ack is one outcome to record.
type ack struct {
	key, crmID, hash  string
	outcome           string
	category, message string
}

// record writes outcomes of one object type to load_log and the
// acknowledged ones (created, updated) to load_state, in one transaction.
// Nothing is recorded in a dry run, nor for unchanged rows.
func (a *activity) record(ctx context.Context, objectType string, counts *Counts, acks []ack) error {
	var logArgs, stateArgs []any
	now := a.cfg.Now().UTC()
	for _, k := range acks {
		counts.add(k.outcome)
		if k.outcome == OutcomeFailed && len(a.sum.Failures) < 20 {
			a.sum.Failures[objectType+" "+k.key] = k.message
		}
		if a.cfg.DryRun || k.outcome == OutcomeUnchanged {
			continue
		}
		logArgs = append(logArgs, a.cfg.RunID, objectType, k.key, nullable(k.crmID), k.outcome, nullable(k.category), nullable(k.message), now)
		if k.outcome == OutcomeCreated || k.outcome == OutcomeUpdated {
			stateArgs = append(stateArgs, objectType, k.key, nullable(k.crmID), k.hash, a.cfg.RunID, now)
		}
	}
	if len(logArgs) == 0 {
		return nil
	}
	tx, err := a.cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// In slices of 500 rows: a statement's parameters are bounded.
	const rows = 500
	for i := 0; i < len(logArgs); i += rows * 8 {
		part := logArgs[i:min(len(logArgs), i+rows*8)]
		if _, err := tx.ExecContext(ctx, "INSERT INTO load_log VALUES "+placeholders(len(part)/8, "(?, ?, ?, ?, ?, ?, ?, ?)"), part...); err != nil {
			return fmt.Errorf("recording outcomes: %w", err)
		}
	}
	for i := 0; i < len(stateArgs); i += rows * 6 {
		part := stateArgs[i:min(len(stateArgs), i+rows*6)]
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO load_state VALUES "+placeholders(len(part)/6, "(?, ?, ?, ?, ?, ?)"), part...); err != nil {
			return fmt.Errorf("recording load state: %w", err)
		}
	}
	return tx.Commit()
}

func (a *activity) fail(acks []ack, keys []string, hashes []string, err error) []ack {
	cat, msg := "REQUEST_FAILED", err.Error()
	var ae *hubspot.APIError
	if errors.As(err, &ae) {
		cat = ae.Category
	}
	for i, k := range keys {
		acks = append(acks, ack{key: k, hash: hashes[i], outcome: OutcomeFailed, category: cat, message: msg})
	}
	return acks
}

func (a *activity) loadContactIDs(ctx context.Context) (map[string]string, error) {
	rows, err := a.cfg.DB.QueryContext(ctx, `SELECT key, crm_id FROM load_state WHERE object_type = 'contact' AND crm_id IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("reading contact ids: %w", err)
	}
	defer rows.Close()
	ids := map[string]string{}
	for rows.Next() {
		var k, id string
		if err := rows.Scan(&k, &id); err != nil {
			return nil, err
		}
		ids[k] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !a.cfg.DryRun {
		return ids, nil
	}
	// A dry run counts the activity of contacts the contacts load would
	// create as if they had their ids.
	rows2, err := a.cfg.DB.QueryContext(ctx, `SELECT email FROM contacts`)
	if err != nil {
		return nil, fmt.Errorf("reading contacts: %w", err)
	}
	defer rows2.Close()
	for rows2.Next() {
		var e string
		if err := rows2.Scan(&e); err != nil {
			return nil, err
		}
		if _, ok := ids[e]; !ok {
			ids[e] = "0"
		}
	}
	return ids, rows2.Err()
}

// stateOf reads the acknowledged hash and CRM id of every object of a type.
func (a *activity) stateOf(ctx context.Context, objectType string) (map[string][2]string, error) {
	rows, err := a.cfg.DB.QueryContext(ctx, `SELECT key, coalesce(crm_id, ''), hash FROM load_state WHERE object_type = ?`, objectType)
	if err != nil {
		return nil, fmt.Errorf("reading load state: %w", err)
	}
	defer rows.Close()
	out := map[string][2]string{}
	for rows.Next() {
		var k, id, h string
		if err := rows.Scan(&k, &id, &h); err != nil {
			return nil, err
		}
		out[k] = [2]string{id, h}
	}
	return out, rows.Err()
}

// --- (a) marketing events -------------------------------------------------

const marketingEventsQuery = `
SELECT external_event_id, webinar_id, name, start_time, end_time, webinar_url
FROM marketing_events
ORDER BY external_event_id`

func (a *activity) marketingEvents(ctx context.Context) error {
	state, err := a.stateOf(ctx, ObjectMarketingEvent)
	if err != nil {
		return err
	}
	rows, err := a.cfg.DB.QueryContext(ctx, marketingEventsQuery)
	if err != nil {
		return fmt.Errorf("reading marketing_events: %w", err)
	}
	type item struct {
		ev   *hubspot.MarketingEvent
		hash string
		prev [2]string
		seen bool
	}
	var todo []item
	var acks []ack
	for rows.Next() {
		var id, name, url string
		var webinar int64
		var start, end time.Time
		if err := rows.Scan(&id, &webinar, &name, &start, &end, &url); err != nil {
			rows.Close()
			return err
		}
		ev := &hubspot.MarketingEvent{
			ExternalAccountID: a.cfg.ExternalAccountID, ExternalEventID: id,
			EventName: name, EventOrganizer: a.cfg.Organizer, EventType: "WEBINAR",
			StartDateTime: start.UTC(), EndDateTime: end.UTC(), EventURL: url,
			EventCompleted:   true,
			EventDescription: "Zoom webinar " + strconv.FormatInt(webinar, 10),
		}
		h := hashProperties(map[string]string{
			"externalAccountId": ev.ExternalAccountID, "eventName": ev.EventName, "eventOrganizer": ev.EventOrganizer,
			"eventType": ev.EventType, "startDateTime": ev.StartDateTime.Format(time.RFC3339), "endDateTime": ev.EndDateTime.Format(time.RFC3339),
			"eventUrl": ev.EventURL, "eventDescription": ev.EventDescription, "eventCompleted": "true",
		})
		prev, seen := state[id]
		if seen && prev[1] == h {
			acks = append(acks, ack{key: id, outcome: OutcomeUnchanged})
			continue
		}
		todo = append(todo, item{ev, h, prev, seen})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < len(todo); start += hubspot.MaxBatchInputs {
		batch := todo[start:min(len(todo), start+hubspot.MaxBatchInputs)]
		if a.cfg.DryRun {
			for _, it := range batch {
				acks = append(acks, ack{key: it.ev.ExternalEventID, outcome: createdOrUpdated(it.seen)})
			}
			continue
		}
		events := make([]*hubspot.MarketingEvent, len(batch))
		for i, it := range batch {
			events[i] = it.ev
		}
		res, err := a.cfg.Client.MarketingEvents.Upsert(ctx, events)
		if err != nil {
			// HubSpot fails the whole upsert on any invalid input.
			keys, hashes := make([]string, len(batch)), make([]string, len(batch))
			for i, it := range batch {
				keys[i], hashes[i] = it.ev.ExternalEventID, it.hash
			}
			acks = a.fail(acks, keys, hashes, err)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		ids := map[string]string{}
		for _, r := range res {
			if r != nil && r.ExternalEventID != "" {
				ids[r.ExternalEventID] = cmpOr(r.ObjectID, r.ID)
			}
		}
		for _, it := range batch {
			id := cmpOr(ids[it.ev.ExternalEventID], it.prev[0])
			acks = append(acks, ack{key: it.ev.ExternalEventID, crmID: id, hash: it.hash, outcome: createdOrUpdated(it.seen)})
		}
	}
	return a.record(ctx, ObjectMarketingEvent, &a.sum.MarketingEvents, acks)
}

// --- participations -----------------------------------------------------

// participationsQuery lists every participation: registrations per
// webinar go to each held instance's event; attendance to its instance's.
const participationsQuery = `
SELECT m.external_event_id, 'register' AS state, r.email, r.create_time AS at,
       CAST(NULL AS TIMESTAMPTZ) AS joined, CAST(NULL AS TIMESTAMPTZ) AS left_at
FROM marketing_events m
JOIN registration_events r ON r.webinar_id = m.webinar_id
UNION ALL
SELECT m.external_event_id, 'attend', t.email, t.join_time, t.join_time, t.leave_time
FROM marketing_events m
JOIN attendance_events t ON t.instance_uuid = m.instance_uuid
ORDER BY 1, 2, 3`

func (a *activity) participations(ctx context.Context) error {
	state, err := a.stateOf(ctx, ObjectParticipation)
	if err != nil {
		return err
	}
	// Participations of an event whose upsert failed this run cannot be
	// recorded; they wait for the event.
	failedEvents := map[string]bool{}
	for k := range a.sum.Failures {
		if id, ok := strings.CutPrefix(k, ObjectMarketingEvent+" "); ok {
			failedEvents[id] = true
		}
	}
	evState, err := a.stateOf(ctx, ObjectMarketingEvent)
	if err != nil {
		return err
	}
	rows, err := a.cfg.DB.QueryContext(ctx, participationsQuery)
	if err != nil {
		return fmt.Errorf("reading participations: %w", err)
	}
	type item struct {
		key, hash string
		in        hubspot.Attendance
		seen      bool
	}
	type group struct {
		event string
		state hubspot.SubscriberState
	}
	var order []group
	todo := map[group][]item{}
	var acks []ack
	for rows.Next() {
		var event, st, email string
		var at time.Time
		var joined, left sql.NullTime
		if err := rows.Scan(&event, &st, &email, &at, &joined, &left); err != nil {
			rows.Close()
			return err
		}
		key := event + "/" + st + "/" + email
		cid, ok := a.contactIDs[email]
		if !ok {
			acks = append(acks, ack{key: key, outcome: OutcomeSkipped, category: "NO_CONTACT_ID",
				message: "the contact has no CRM id yet (not loaded or refused); retried next run"})
			continue
		}
		if _, known := evState[event]; (!known && !a.cfg.DryRun) || failedEvents[event] {
			acks = append(acks, ack{key: key, outcome: OutcomeSkipped, category: "NO_MARKETING_EVENT",
				message: "the marketing event is not in the CRM yet; retried next run"})
			continue
		}
		in := hubspot.Attendance{ContactID: cid, At: at.UTC()}
		props := map[string]string{"contactId": cid, "at": at.UTC().Format(time.RFC3339)}
		if joined.Valid {
			in.JoinedAt = joined.Time.UTC()
			props["joinedAt"] = in.JoinedAt.Format(time.RFC3339)
		}
		if left.Valid {
			in.LeftAt = left.Time.UTC()
			props["leftAt"] = in.LeftAt.Format(time.RFC3339)
		}
		h := hashProperties(props)
		prev, seen := state[key]
		if seen && prev[1] == h {
			acks = append(acks, ack{key: key, outcome: OutcomeUnchanged})
			continue
		}
		g := group{event, hubspot.SubscriberState(st)}
		if _, ok := todo[g]; !ok {
			order = append(order, g)
		}
		todo[g] = append(todo[g], item{key, h, in, seen})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range order {
		items := todo[g]
		for start := 0; start < len(items); start += hubspot.MaxBatchInputs {
			batch := items[start:min(len(items), start+hubspot.MaxBatchInputs)]
			if a.cfg.DryRun {
				for _, it := range batch {
					acks = append(acks, ack{key: it.key, outcome: createdOrUpdated(it.seen)})
				}
				continue
			}
			in := make([]hubspot.Attendance, len(batch))
			for i, it := range batch {
				in[i] = it.in
			}
			outs, err := a.cfg.Client.MarketingEvents.RecordAttendance(ctx, a.cfg.ExternalAccountID, g.event, g.state, in)
			if err != nil {
				keys, hashes := make([]string, len(batch)), make([]string, len(batch))
				for i, it := range batch {
					keys[i], hashes[i] = it.key, it.hash
				}
				acks = a.fail(acks, keys, hashes, err)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				continue
			}
			for i, o := range outs {
				it := batch[i]
				if o.Err != nil {
					acks = append(acks, ack{key: it.key, crmID: it.in.ContactID, hash: it.hash, outcome: OutcomeFailed,
						category: o.Err.Category, message: o.Err.Message})
					continue
				}
				acks = append(acks, ack{key: it.key, crmID: it.in.ContactID, hash: it.hash, outcome: createdOrUpdated(it.seen)})
			}
		}
	}
	return a.record(ctx, ObjectParticipation, &a.sum.Attendance, acks)
}

// --- (b) timeline events --------------------------------------------------

// timelineQuery lists every timeline event: one per registration, one per
// attendance, and one per recording and attendee.
const timelineQuery = `
SELECT 'zoom_webinar_registration' AS template, event_id, email, create_time AS ts,
       CAST(webinar_id AS VARCHAR) AS webinar_id, webinar_name,
       NULL AS date, NULL AS join_time, NULL AS leave_time, NULL AS minutes, NULL AS percent,
       NULL AS topic, NULL AS start_time, NULL AS url
FROM registration_events
UNION ALL
SELECT 'zoom_webinar_attendance', event_id, email, join_time,
       CAST(webinar_id AS VARCHAR), webinar_name, date,
       CAST(epoch_ms(join_time) AS VARCHAR), CAST(epoch_ms(leave_time) AS VARCHAR),
       CAST(minutes_present AS VARCHAR), CAST(percent_present AS VARCHAR),
       NULL, NULL, NULL
FROM attendance_events
UNION ALL
SELECT 'zoom_recording_available', event_id || '-' || left(sha256(u.email), 16), u.email, start_time,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       topic, CAST(epoch_ms(start_time) AS VARCHAR), recording_url
FROM recording_events, unnest(attendees) AS u(email)
ORDER BY 1, 2`

func (a *activity) timeline(ctx context.Context) error {
	if a.cfg.TimelineApp == "" || !a.cfg.TimelineReady {
		var n int
		if err := a.cfg.DB.QueryRowContext(ctx, "SELECT count(*) FROM ("+timelineQuery+")").Scan(&n); err != nil {
			return fmt.Errorf("counting timeline events: %w", err)
		}
		a.sum.TimelineEvents.Skipped = n
		if n > 0 {
			a.sum.Notices = append(a.sum.Notices, fmt.Sprintf(
				"timeline events skipped (%d): HubSpot accepts them only from a public app; set hubspot.timeline.app_id in zoomsync.yaml and HUBSPOT_DEVELOPER_KEY and HUBSPOT_APP_TOKEN to send them", n))
		}
		return nil
	}
	templates, err := a.ensureTemplates(ctx)
	if err != nil {
		return err
	}
	state, err := a.stateOf(ctx, ObjectTimelineEvent)
	if err != nil {
		return err
	}
	rows, err := a.cfg.DB.QueryContext(ctx, timelineQuery)
	if err != nil {
		return fmt.Errorf("reading timeline events: %w", err)
	}
	type item struct {
		key, hash string
		ev        *hubspot.TimelineEvent
		seen      bool
	}
	var todo []item
	var acks []ack
	for rows.Next() {
		var tmpl, id, email string
		var ts time.Time
		var c [10]sql.NullString
		if err := rows.Scan(&tmpl, &id, &email, &ts, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9]); err != nil {
			rows.Close()
			return err
		}
		tokens := map[string]string{}
		names := [10]string{"webinarId", "webinarName", "date", "joinTime", "leaveTime", "minutesPresent", "percentPresent", "topic", "startTime", "recordingUrl"}
		for i, v := range c {
			if v.Valid {
				tokens[names[i]] = v.String
			}
		}
		key := tmpl + "/" + id
		cid, ok := a.contactIDs[email]
		if !ok {
			acks = append(acks, ack{key: key, outcome: OutcomeSkipped, category: "NO_CONTACT_ID",
				message: "the contact has no CRM id yet (not loaded or refused); retried next run"})
			continue
		}
		hp := map[string]string{"objectId": cid, "timestamp": ts.UTC().Format(time.RFC3339)}
		for k, v := range tokens {
			hp["token."+k] = v
		}
		h := hashProperties(hp)
		prev, seen := state[key]
		if seen && prev[1] == h {
			acks = append(acks, ack{key: key, outcome: OutcomeUnchanged})
			continue
		}
		todo = append(todo, item{key, h, &hubspot.TimelineEvent{
			EventTemplateID: templates[tmpl], ID: id, ObjectID: cid, Timestamp: ts.UTC(), Tokens: tokens}, seen})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < len(todo); start += hubspot.MaxBatchInputs {
		batch := todo[start:min(len(todo), start+hubspot.MaxBatchInputs)]
		if a.cfg.DryRun {
			for _, it := range batch {
				acks = append(acks, ack{key: it.key, outcome: createdOrUpdated(it.seen)})
			}
			continue
		}
		events := make([]*hubspot.TimelineEvent, len(batch))
		for i, it := range batch {
			events[i] = it.ev
		}
		outs, err := a.cfg.Client.Timeline.BatchCreate(ctx, events)
		if errors.Is(err, hubspot.ErrPublicAppRequired) {
			n := len(todo) - start
			a.sum.TimelineEvents.Skipped += n
			a.sum.Notices = append(a.sum.Notices, fmt.Sprintf(
				"timeline events skipped (%d): HubSpot refused the app token (%v); HUBSPOT_APP_TOKEN must be the public app's OAuth access token", n, err))
			break
		}
		if err != nil {
			keys, hashes := make([]string, len(batch)), make([]string, len(batch))
			for i, it := range batch {
				keys[i], hashes[i] = it.key, it.hash
			}
			acks = a.fail(acks, keys, hashes, err)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		for i, o := range outs {
			it := batch[i]
			if o.Err != nil {
				acks = append(acks, ack{key: it.key, crmID: it.ev.ObjectID, hash: it.hash, outcome: OutcomeFailed,
					category: o.Err.Category, message: o.Err.Message})
				continue
			}
			// Re-sending an id rewrites the same event: an update.
			acks = append(acks, ack{key: it.key, crmID: it.ev.ObjectID, hash: it.hash, outcome: createdOrUpdated(it.seen)})
		}
	}
	return a.record(ctx, ObjectTimelineEvent, &a.sum.TimelineEvents, acks)
}

// ensureTemplates returns the template id per name: from load_state when
// the definition is unchanged, else from the app's templates by name, else
// created. In a dry run nothing is created.
func (a *activity) ensureTemplates(ctx context.Context) (map[string]string, error) {
	state, err := a.stateOf(ctx, ObjectTimelineTemplate)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	var acks []ack
	var listed []*hubspot.EventTemplate
	listedOnce := false
	for _, t := range TimelineTemplates {
		key := a.cfg.TimelineApp + "/" + t.Name
		h := templateHash(t)
		if prev, ok := state[key]; ok && prev[1] == h && prev[0] != "" {
			ids[t.Name] = prev[0]
			continue
		}
		if a.cfg.DryRun {
			continue
		}
		if !listedOnce {
			if listed, _, err = a.cfg.Client.Timeline.ListTemplates(ctx); err != nil {
				return nil, fmt.Errorf("listing event templates: %w", err)
			}
			listedOnce = true
		}
		if i := slices.IndexFunc(listed, func(x *hubspot.EventTemplate) bool { return x.Name == t.Name }); i >= 0 {
			ids[t.Name] = listed[i].ID
			acks = append(acks, ack{key: key, crmID: listed[i].ID, hash: h, outcome: OutcomeUpdated})
			continue
		}
		created, _, err := a.cfg.Client.Timeline.CreateTemplate(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("creating event template %s: %w", t.Name, err)
		}
		ids[t.Name] = created.ID
		a.sum.TemplatesCreated = append(a.sum.TemplatesCreated, t.Name)
		acks = append(acks, ack{key: key, crmID: created.ID, hash: h, outcome: OutcomeCreated})
	}
	var ignored Counts
	return ids, a.record(ctx, ObjectTimelineTemplate, &ignored, acks)
}

func templateHash(t *hubspot.EventTemplate) string {
	p := map[string]string{"name": t.Name, "header": t.HeaderTemplate, "detail": t.DetailTemplate}
	for _, tok := range t.Tokens {
		p["token."+tok.Name] = tok.Type + "|" + tok.Label
	}
	return hashProperties(p)
}

// --- (c) calls --------------------------------------------------------------

const callsQuery = `
SELECT event_id, topic, start_time, duration_minutes, recording_url, transcript,
       array_to_string(attendees, chr(10)) AS attendees
FROM recording_events
ORDER BY event_id`

// CallProperties are the call record of a recording: title, start,
// duration, recording URL (HTTPS only: HubSpot refuses others) and a body
// with the URL and the transcript, cut to MaxCallBody characters with a
// note saying so.
func CallProperties(topic string, start time.Time, minutes int, recordingURL, transcript string) map[string]string {
	body := "Zoom webinar recording: " + recordingURL
	if transcript != "" {
		body += "\n\nTranscript:\n" + transcript
	}
	if r := []rune(body); len(r) > MaxCallBody {
		note := fmt.Sprintf("\n\n[transcript cut at %d of %d characters; the full text is in the zoomsync lake]", MaxCallBody, len(r))
		body = string(r[:MaxCallBody-len([]rune(note))]) + note
	}
	p := map[string]string{
		"hs_timestamp":      start.UTC().Format(time.RFC3339),
		"hs_call_title":     "Webinar recording: " + topic,
		"hs_call_body":      body,
		"hs_call_duration":  strconv.FormatInt(int64(minutes)*60_000, 10),
		"hs_call_direction": "OUTBOUND",
		"hs_call_status":    "COMPLETED",
	}
	if strings.HasPrefix(recordingURL, "https://") {
		p["hs_call_recording_url"] = recordingURL
	}
	return p
}

func (a *activity) calls(ctx context.Context) error {
	state, err := a.stateOf(ctx, ObjectCall)
	if err != nil {
		return err
	}
	rows, err := a.cfg.DB.QueryContext(ctx, callsQuery)
	if err != nil {
		return fmt.Errorf("reading recording_events: %w", err)
	}
	type item struct {
		key, hash string
		in        hubspot.CallInput
	}
	var todo []item
	var acks []ack
	for rows.Next() {
		var id, topic, url, transcript, attendees string
		var start time.Time
		var minutes int
		if err := rows.Scan(&id, &topic, &start, &minutes, &url, &transcript, &attendees); err != nil {
			rows.Close()
			return err
		}
		var cids []string
		for _, e := range strings.Split(attendees, "\n") {
			if cid, ok := a.contactIDs[e]; ok {
				cids = append(cids, cid)
			}
		}
		slices.Sort(cids)
		cids = slices.Compact(cids)
		if len(cids) == 0 {
			acks = append(acks, ack{key: id, outcome: OutcomeSkipped, category: "NO_CONTACT_ID",
				message: "no attendee has a CRM id yet; retried next run"})
			continue
		}
		props := CallProperties(topic, start, minutes, url, transcript)
		hp := maps.Clone(props)
		hp["contacts"] = strings.Join(cids, ",")
		h := hashProperties(hp)
		prev, seen := state[id]
		switch {
		case seen && prev[1] == h:
			acks = append(acks, ack{key: id, outcome: OutcomeUnchanged})
			continue
		case seen:
			// Never create a second call for a recording. The state keeps
			// the hash of what was created, so this is reported each run.
			acks = append(acks, ack{key: id, crmID: prev[0], outcome: OutcomeLeftAsCreated, category: "CALL_CHANGED",
				message: "the recording's call changed since it was created (transcript or attendees); it is left as created"})
			continue
		}
		todo = append(todo, item{id, h, hubspot.CallInput{ObjectWriteTraceID: id, Properties: props, ContactIDs: cids}})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < len(todo); start += hubspot.MaxBatchInputs {
		batch := todo[start:min(len(todo), start+hubspot.MaxBatchInputs)]
		if a.cfg.DryRun {
			for _, it := range batch {
				acks = append(acks, ack{key: it.key, outcome: OutcomeCreated})
			}
			continue
		}
		in := make([]hubspot.CallInput, len(batch))
		for i, it := range batch {
			in[i] = it.in
		}
		outs, err := a.cfg.Client.Calls.BatchCreate(ctx, in)
		if err != nil {
			// Nothing was created: the whole request failed.
			keys, hashes := make([]string, len(batch)), make([]string, len(batch))
			for i, it := range batch {
				keys[i], hashes[i] = it.key, it.hash
			}
			acks = a.fail(acks, keys, hashes, err)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		for i, o := range outs {
			it := batch[i]
			if o.Err != nil {
				acks = append(acks, ack{key: it.key, hash: it.hash, outcome: OutcomeFailed, category: o.Err.Category, message: o.Err.Message})
				continue
			}
			acks = append(acks, ack{key: it.key, crmID: o.CallID, hash: it.hash, outcome: OutcomeCreated})
		}
	}
	// Record the calls even when the context ended after they were
	// created, so that none is created twice.
	return a.record(context.WithoutCancel(ctx), ObjectCall, &a.sum.Calls, acks)
}

func createdOrUpdated(seen bool) string {
	if seen {
		return OutcomeUpdated
	}
	return OutcomeCreated
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ActivityID is the deterministic id the transform gives an object: prefix
// and the first 32 hex digits of sha256(key). Exposed for tests and
// notebooks; the SQL computes the same (095_activity.sql).
func ActivityID(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(sum[:])[:32]
}
