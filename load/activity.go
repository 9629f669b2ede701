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
	"sync"
	"time"

	"github.com/zoomsync/zoomsync/internal/failpoint"
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

// ActivityConfig configures Activity.
type ActivityConfig struct {
	Client *hubspot.Client
	DB     *sql.DB // the catalog, with the activity views and load_state
	RunID  string
	DryRun bool // count what would be sent, send nothing, record nothing
	// Diff, when set, is told in a dry run what each object would be (DiffRow).
	Diff func(DiffRow)
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
	// Events is the route of the contact timeline events: EventsTimeline
	// (the default when empty), EventsCustom or EventsOff (customevents.go).
	Events string
	// CreateCalls writes the calls load_state does not know with batch
	// create, as before zoomsync_call_id: each is created once and updated
	// by the id kept in load_state, a create whose answer was lost is not
	// resent (its outcome stays unknown), and a lost catalog makes every
	// call again. By default (false) calls are upserted by their
	// zoomsync_call_id (created with hasUniqueValue before the first
	// write), so neither a lost answer nor a lost catalog ever makes a
	// second call of a recording.
	CreateCalls bool
	Logger      *slog.Logger
	Now         func() time.Time
}

// Counts are the outcomes of one object type. In a dry run Created and
// Updated count what would be sent.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped,omitempty"`
	Failed    int `json:"failed,omitempty"`
	// Unknown rows were sent without a readable answer (OutcomeUnknown).
	Unknown int `json:"unknown,omitempty"`
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
	case OutcomeUnknown:
		c.Unknown++
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
	// DefinitionsCreated names the custom event definitions created by this run.
	DefinitionsCreated []string `json:"event_definitions_created,omitempty"`
	// PropertiesCreated names the calls properties created by this run.
	PropertiesCreated []string `json:"properties_created,omitempty"`
	// Notices are lines for the run summary (at most one per cause).
	Notices []string `json:"notices,omitempty"`
	// Failures maps "<object type> <key>" to the CRM's reason (first 20),
	// for failed and unknown rows.
	Failures map[string]string `json:"failures,omitempty"`
	// Keys names, per object type, the first rows whose outcome is unknown
	// or that failed (the counts say how many).
	Keys map[string]*RowKeys `json:"keys,omitempty"`
}

// Unsettled names the first rows per object type whose outcome is unknown
// or that failed, one line each ("call <key>: unknown"); none when the
// activity load settled everything it sent.
func (s *ActivitySummary) Unsettled() []string {
	var out []string
	for _, t := range slices.Sorted(maps.Keys(s.Keys)) {
		out = append(out, s.Keys[t].describe(t)...)
	}
	return out
}

// Activity sends the CRM activity of the activity views after the
// contacts: (a) marketing events and their participations by contact id,
// (b) timeline events by the route hubspot.events picks (timeline events
// of a public app, custom events, or none), (c) one call per
// recording associated with its attendees. Contact ids come from
// load_state; a person without one (not loaded, or refused) is skipped
// and picked up by a later run. Every object goes through load_state with
// a hash of what the CRM acknowledged, so a re-run sends only what changed,
// and every outcome lands in load_log.
//
// A call is keyed by its recording's event id: it carries it as
// zoomsync_call_id and is upserted by it, so it is never created twice
// whatever load_state remembers (with CreateCalls, the id of the call
// created is kept in load_state and a create is never resent). A call whose content
// changed (a transcript that arrived later, other attendees) is updated in
// place, and the attendees it lacks are associated with it; the
// associations made are kept in load_state (call_contact) so that only
// missing ones are sent. An attendee who left the recording's list stays
// associated.
//
// A row sent without a readable answer ends unknown, a refused one failed:
// both are counted per object type and named in the summary (Unsettled),
// and both are sent again by the next run.
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
	a := &activity{cfg: cfg, sum: &ActivitySummary{Failures: map[string]string{}, Keys: map[string]*RowKeys{}},
		unsettled: map[string]bool{}}
	a.recorder = &recorder{db: cfg.DB, runID: cfg.RunID, now: cfg.Now, dryRun: cfg.DryRun, diff: cfg.Diff,
		unsettled: func(objectType, key, outcome, message string) {
			a.unsettledMu.Lock()
			a.unsettled[objectType+" "+key] = true
			a.unsettledMu.Unlock()
			if len(a.sum.Failures) < 20 {
				a.sum.Failures[objectType+" "+key] = message
			}
			if a.sum.Keys[objectType] == nil {
				a.sum.Keys[objectType] = &RowKeys{}
			}
			a.sum.Keys[objectType].add(outcome, key)
		}}
	if cfg.Client != nil {
		a.recorder.inFlight = cfg.Client.InFlight
	}
	var err error
	if a.contactIDs, err = a.loadContactIDs(ctx); err != nil {
		return nil, err
	}
	failpoint.Hit("load.before-activity")
	if err := a.marketingEvents(ctx); err != nil {
		return a.sum, fmt.Errorf("marketing events: %w", err)
	}
	failpoint.Hit("load.after-marketing-events")
	if err := a.participations(ctx); err != nil {
		return a.sum, fmt.Errorf("marketing event attendance: %w", err)
	}
	failpoint.Hit("load.after-attendance")
	if err := a.events(ctx); err != nil {
		return a.sum, fmt.Errorf("timeline events: %w", err)
	}
	if err := a.calls(ctx); err != nil {
		return a.sum, fmt.Errorf("calls: %w", err)
	}
	failpoint.Hit("load.after-calls")
	return a.sum, nil
}

type activity struct {
	cfg ActivityConfig
	sum *ActivitySummary
	*recorder
	contactIDs map[string]string // email → contact id
	// unsettled holds "<object type> <key>" of every row of this run whose
	// outcome is unknown or that failed. The batches in flight write it
	// while they record; unsettledMu guards it (not the recorder's lock,
	// which a reader would wait on for a whole recording).
	unsettledMu sync.Mutex
	unsettled   map[string]bool
	// eventsWhy is why the timeline events were not sent, when they were
	// not: the audit detail of each (customevents.go).
	eventsWhy string
	// callPropertiesEnsured: the calls' properties were made sure of.
	callPropertiesEnsured bool
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

// ActivityID is the deterministic id the transform gives an object: prefix
// and the first 32 hex digits of sha256(key). Exposed for tests and
// notebooks; the SQL computes the same (095_activity.sql).
func ActivityID(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(sum[:])[:32]
}
