package load

import (
	"cmp"
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
	// ObjectCallContact is a call → contact association made by the loader,
	// keyed "<recording event id>/<contact id>", crm_id the call's id.
	ObjectCallContact = "call_contact"
)

// OutcomeSkipped: the row was not sent for a reason other than being
// unchanged (no contact id yet, timeline events not possible with the
// configured token).
const OutcomeSkipped = "skipped"

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
// created twice. A call whose content changed (a transcript that arrived
// later, other attendees) is updated in place, and the attendees it lacks
// are associated with it; the associations made are kept in load_state
// (call_contact) so that only missing ones are sent. An attendee who left
// the recording's list stays associated.
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
	return a.recordAll(ctx, outcomes{objectType, counts, acks})
}

// outcomes are acks of one object type, counted in counts.
type outcomes struct {
	objectType string
	counts     *Counts
	acks       []ack
}

// recordAll is record for several object types in one transaction.
func (a *activity) recordAll(ctx context.Context, parts ...outcomes) error {
	var logArgs, stateArgs []any
	now := a.cfg.Now().UTC()
	for _, p := range parts {
		for _, k := range p.acks {
			p.counts.add(k.outcome)
			if k.outcome == OutcomeFailed && len(a.sum.Failures) < 20 {
				a.sum.Failures[p.objectType+" "+k.key] = k.message
			}
			if a.cfg.DryRun || k.outcome == OutcomeUnchanged {
				continue
			}
			logArgs = append(logArgs, a.cfg.RunID, p.objectType, k.key, nullable(k.crmID), k.outcome, nullable(k.category), nullable(k.message), now)
			if k.outcome == OutcomeCreated || k.outcome == OutcomeUpdated {
				stateArgs = append(stateArgs, p.objectType, k.key, nullable(k.crmID), k.hash, a.cfg.RunID, now)
			}
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

// stopped records the acks of the batches sent before the context ended,
// then returns err: rewriting them is harmless, but the next run need not.
func (a *activity) stopped(ctx context.Context, objectType string, counts *Counts, acks []ack, err error) error {
	return cmp.Or(a.record(context.WithoutCancel(ctx), objectType, counts, acks), err)
}

// pending is one row to send: its load_state key, the hash of what is sent
// and whether the CRM already holds it (an update rather than a create).
type pending struct {
	key, hash string
	seen      bool
}

func (p pending) row() pending { return p }

// batchRow is an item of a batch: a pending row and what is sent for it.
type batchRow interface{ row() pending }

// errCategory is the CRM's category of a failed request, or REQUEST_FAILED.
func errCategory(err error) string {
	if ae, ok := errors.AsType[*hubspot.APIError](err); ok {
		return ae.Category
	}
	return "REQUEST_FAILED"
}

// dryRunAcks counts a batch as it would be sent.
func dryRunAcks[T batchRow](acks []ack, batch []T) []ack {
	for _, it := range batch {
		p := it.row()
		acks = append(acks, ack{key: p.key, outcome: createdOrUpdated(p.seen)})
	}
	return acks
}

// batchAcks appends the acks of one batch write. err is the failure of the
// whole request: every row of the batch fails with its reason, and once the
// context has ended its error is returned so the caller stops. Otherwise
// row i is acked by result(i): its CRM id and its error, nil when written.
func batchAcks[T batchRow](ctx context.Context, acks []ack, batch []T, err error, result func(i int) (crmID string, e *hubspot.BatchError)) ([]ack, error) {
	if err != nil {
		cat := errCategory(err)
		for _, it := range batch {
			p := it.row()
			acks = append(acks, ack{key: p.key, hash: p.hash, outcome: OutcomeFailed, category: cat, message: err.Error()})
		}
		return acks, ctx.Err()
	}
	for i, it := range batch {
		p := it.row()
		id, e := result(i)
		if e != nil {
			acks = append(acks, ack{key: p.key, crmID: id, hash: p.hash, outcome: OutcomeFailed, category: e.Category, message: e.Message})
			continue
		}
		acks = append(acks, ack{key: p.key, crmID: id, hash: p.hash, outcome: createdOrUpdated(p.seen)})
	}
	return acks, nil
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
		pending
		ev     *hubspot.MarketingEvent
		prevID string
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
		todo = append(todo, item{pending{id, h, seen}, ev, prev[0]})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if a.cfg.DryRun {
		todo, acks = nil, dryRunAcks(acks, todo)
	}
	for batch := range slices.Chunk(todo, hubspot.MaxBatchInputs) {
		events := make([]*hubspot.MarketingEvent, len(batch))
		for i, it := range batch {
			events[i] = it.ev
		}
		// HubSpot fails the whole upsert on any invalid input: no per-row errors.
		res, err := a.cfg.Client.MarketingEvents.Upsert(ctx, events)
		ids := map[string]string{}
		for _, r := range res {
			if r != nil && r.ExternalEventID != "" {
				ids[r.ExternalEventID] = cmp.Or(r.ObjectID, r.ID)
			}
		}
		if acks, err = batchAcks(ctx, acks, batch, err, func(i int) (string, *hubspot.BatchError) {
			return cmp.Or(ids[batch[i].key], batch[i].prevID), nil
		}); err != nil {
			return a.stopped(ctx, ObjectMarketingEvent, &a.sum.MarketingEvents, acks, err)
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
		pending
		in hubspot.Attendance
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
		todo[g] = append(todo[g], item{pending{key, h, seen}, in})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range order {
		items := todo[g]
		if a.cfg.DryRun {
			acks = dryRunAcks(acks, items)
			continue
		}
		for batch := range slices.Chunk(items, hubspot.MaxBatchInputs) {
			in := make([]hubspot.Attendance, len(batch))
			for i, it := range batch {
				in[i] = it.in
			}
			outs, err := a.cfg.Client.MarketingEvents.RecordAttendance(ctx, a.cfg.ExternalAccountID, g.event, g.state, in)
			if acks, err = batchAcks(ctx, acks, batch, err, func(i int) (string, *hubspot.BatchError) {
				return batch[i].in.ContactID, outs[i].Err
			}); err != nil {
				return a.stopped(ctx, ObjectParticipation, &a.sum.Attendance, acks, err)
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
		pending
		ev *hubspot.TimelineEvent
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
		todo = append(todo, item{pending{key, h, seen}, &hubspot.TimelineEvent{
			EventTemplateID: templates[tmpl], ID: id, ObjectID: cid, Timestamp: ts.UTC(), Tokens: tokens}})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if a.cfg.DryRun {
		todo, acks = nil, dryRunAcks(acks, todo)
	}
	sent := 0 // rows of the batches before this one
	for batch := range slices.Chunk(todo, hubspot.MaxBatchInputs) {
		events := make([]*hubspot.TimelineEvent, len(batch))
		for i, it := range batch {
			events[i] = it.ev
		}
		outs, err := a.cfg.Client.Timeline.BatchCreate(ctx, events)
		if errors.Is(err, hubspot.ErrPublicAppRequired) {
			n := len(todo) - sent
			a.sum.TimelineEvents.Skipped += n
			a.sum.Notices = append(a.sum.Notices, fmt.Sprintf(
				"timeline events skipped (%d): HubSpot refused the app token (%v); HUBSPOT_APP_TOKEN must be the public app's OAuth access token", n, err))
			break
		}
		sent += len(batch)
		// Re-sending an id rewrites the same event: an update.
		if acks, err = batchAcks(ctx, acks, batch, err, func(i int) (string, *hubspot.BatchError) {
			return batch[i].ev.ObjectID, outs[i].Err
		}); err != nil {
			return a.stopped(ctx, ObjectTimelineEvent, &a.sum.TimelineEvents, acks, err)
		}
	}
	return a.record(ctx, ObjectTimelineEvent, &a.sum.TimelineEvents, acks)
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
	stop := func(err error) (map[string]string, error) {
		return nil, a.stopped(ctx, ObjectTimelineTemplate, &ignored, acks, err)
	}
	var listed []*hubspot.EventTemplate
	listedOnce := false
	byName := func(name string) int {
		return slices.IndexFunc(listed, func(x *hubspot.EventTemplate) bool { return x.Name == name })
	}
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
				return stop(fmt.Errorf("listing event templates: %w", err))
			}
			listedOnce = true
		}
		if i := byName(t.Name); i >= 0 {
			ids[t.Name] = listed[i].ID
			acks = append(acks, ack{key: key, crmID: listed[i].ID, hash: h, outcome: OutcomeUpdated})
			continue
		}
		created, _, err := a.cfg.Client.Timeline.CreateTemplate(ctx, t)
		if err != nil {
			err = fmt.Errorf("creating event template %s: %w", t.Name, err)
			if ctx.Err() != nil {
				return stop(err)
			}
			// The answer may have been lost after HubSpot created it.
			var lerr error
			if listed, _, lerr = a.cfg.Client.Timeline.ListTemplates(ctx); lerr != nil {
				return stop(fmt.Errorf("%w; listing event templates: %w", err, lerr))
			}
			i := byName(t.Name)
			if i < 0 {
				return stop(fmt.Errorf("%w (not resent: the next run looks for it by name)", err))
			}
			a.cfg.Logger.WarnContext(ctx, "event template found after its create failed", "name", t.Name, "id", listed[i].ID, "error", err)
			created = listed[i]
		}
		ids[t.Name] = created.ID
		a.sum.TemplatesCreated = append(a.sum.TemplatesCreated, t.Name)
		acks = append(acks, ack{key: key, crmID: created.ID, hash: h, outcome: OutcomeCreated})
	}
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

// callItem is a recording's call to create (callID empty) or update; missing
// are the attendees to associate with an existing call.
type callItem struct {
	pending
	callID  string
	in      hubspot.CallInput
	missing []string
}

func (a *activity) calls(ctx context.Context) error {
	state, err := a.stateOf(ctx, ObjectCall)
	if err != nil {
		return err
	}
	linked, err := a.stateOf(ctx, ObjectCallContact)
	if err != nil {
		return err
	}
	rows, err := a.cfg.DB.QueryContext(ctx, callsQuery)
	if err != nil {
		return fmt.Errorf("reading recording_events: %w", err)
	}
	var creates, updates []callItem
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
		if seen && prev[1] == h {
			acks = append(acks, ack{key: id, outcome: OutcomeUnchanged})
			continue
		}
		it := callItem{pending: pending{id, h, seen}, in: hubspot.CallInput{ObjectWriteTraceID: id, Properties: props, ContactIDs: cids}}
		if !seen {
			creates = append(creates, it)
			continue
		}
		// Never a second call for a recording: update the one created.
		it.callID = prev[0]
		for _, cid := range cids {
			if _, ok := linked[callContactKey(id, cid)]; !ok {
				it.missing = append(it.missing, cid)
			}
		}
		updates = append(updates, it)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// The outcomes of the rows not sent (skipped, unchanged) first; then
	// those of each batch right after it, with the associations it made, in
	// one transaction: a run that stops (cancelled, crashed) partway keeps
	// the ids of the calls it created, and the next run never creates them
	// again. The recording outlives a cancelled context for the same reason.
	var ignored Counts
	if err := a.record(ctx, ObjectCall, &a.sum.Calls, acks); err != nil {
		return err
	}
	recordBatch := func(done, links []ack) error {
		return a.recordAll(context.WithoutCancel(ctx),
			outcomes{ObjectCallContact, &ignored, links}, outcomes{ObjectCall, &a.sum.Calls, done})
	}
	var stop error // the context ended: stop after recording the batch
	if a.cfg.DryRun {
		if err := a.record(ctx, ObjectCall, &a.sum.Calls, dryRunAcks(dryRunAcks(nil, creates), updates)); err != nil {
			return err
		}
		creates, updates = nil, nil
	}
	for batch := range slices.Chunk(creates, hubspot.MaxBatchInputs) {
		in := make([]hubspot.CallInput, len(batch))
		for i, it := range batch {
			in[i] = it.in
		}
		// On error the batch fails. After a lost answer (a transport error
		// or a 5xx, not resent) HubSpot may hold the calls all the same; the
		// next run cannot tell and creates them again (no search of calls).
		outs, err := a.cfg.Client.Calls.BatchCreate(ctx, in)
		var done, links []ack // the batch's calls; call_contact rows: associations made
		done, stop = batchAcks(ctx, nil, batch, err, func(i int) (string, *hubspot.BatchError) { return outs[i].CallID, outs[i].Err })
		for i, o := range outs {
			if o.Err == nil { // the attendees went with the create
				links = appendLinks(links, batch[i].key, o.CallID, batch[i].in.ContactIDs)
			}
		}
		if err := recordBatch(done, links); err != nil {
			return err
		}
		if stop != nil {
			return stop
		}
	}
	for batch := range slices.Chunk(updates, hubspot.MaxBatchInputs) {
		in := make([]hubspot.CallUpdate, len(batch))
		for i, it := range batch {
			in[i] = hubspot.CallUpdate{ID: it.callID, ObjectWriteTraceID: it.key, Properties: it.in.Properties}
		}
		outs, err := a.cfg.Client.Calls.BatchUpdate(ctx, in)
		var refused []*hubspot.BatchError
		var done, links []ack
		if err == nil {
			refused, links, stop = a.associate(ctx, batch, outs, links)
		}
		// A call whose attendees could not all be associated is failed, so
		// that the next run sends it again, with the ones still missing.
		done, err = batchAcks(ctx, nil, batch, err, func(i int) (string, *hubspot.BatchError) {
			return batch[i].callID, cmp.Or(outs[i].Err, refused[i])
		})
		if err := recordBatch(done, links); err != nil {
			return err
		}
		if stop = cmp.Or(stop, err); stop != nil {
			return stop
		}
	}
	return nil
}

// associate associates the missing attendees of the calls of a batch that
// were updated, up to 100 pairs a request. It returns per batch row the
// first refusal (nil when every pair was made) and links with the pairs
// made; and the context's error once it has ended.
func (a *activity) associate(ctx context.Context, batch []callItem, outs []hubspot.CallOutcome, links []ack) ([]*hubspot.BatchError, []ack, error) {
	refused := make([]*hubspot.BatchError, len(batch))
	var pairs []hubspot.CallContact
	var rowOf []int
	for i, it := range batch {
		if outs[i].Err != nil {
			continue
		}
		for _, cid := range it.missing {
			pairs = append(pairs, hubspot.CallContact{CallID: it.callID, ContactID: cid})
			rowOf = append(rowOf, i)
		}
	}
	for start := 0; start < len(pairs); start += hubspot.MaxBatchInputs {
		end := min(len(pairs), start+hubspot.MaxBatchInputs)
		res, err := a.cfg.Client.Calls.AssociateContacts(ctx, pairs[start:end])
		for j := start; j < end; j++ {
			i := rowOf[j]
			switch {
			case err != nil:
				refused[i] = cmp.Or(refused[i], &hubspot.BatchError{Category: errCategory(err), Message: err.Error()})
			case res[j-start].Err != nil:
				refused[i] = cmp.Or(refused[i], res[j-start].Err)
			default:
				links = appendLinks(links, batch[i].key, pairs[j].CallID, []string{pairs[j].ContactID})
			}
		}
		if err != nil && ctx.Err() != nil {
			return refused, links, ctx.Err()
		}
	}
	return refused, links, nil
}

// callContactKey is the load_state key of a recording's call → contact
// association (object type call_contact).
func callContactKey(recording, contactID string) string { return recording + "/" + contactID }

func appendLinks(links []ack, recording, callID string, contactIDs []string) []ack {
	for _, cid := range contactIDs {
		links = append(links, ack{key: callContactKey(recording, cid), crmID: callID, outcome: OutcomeCreated,
			hash: hashProperties(map[string]string{"call": callID, "contact": cid})})
	}
	return links
}

func createdOrUpdated(seen bool) string {
	if seen {
		return OutcomeUpdated
	}
	return OutcomeCreated
}

// ActivityID is the deterministic id the transform gives an object: prefix
// and the first 32 hex digits of sha256(key). Exposed for tests and
// notebooks; the SQL computes the same (095_activity.sql).
func ActivityID(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(sum[:])[:32]
}
