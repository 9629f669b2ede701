package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/load/hubspot"
)

// ObjectContact is the object type of the contacts in load_state and
// load_log (keyed by email).
const ObjectContact = "contact"

// PropertyGroup returns the contact property group zoomsync writes into.
func PropertyGroup() *hubspot.PropertyGroup {
	return &hubspot.PropertyGroup{Name: "zoom_webinars", Label: "Zoom webinars", DisplayOrder: -1}
}

// ContactProperties returns the contact properties zoomsync maintains
// (DESIGN.md, "What the CRM receives"). Their names differ from those of
// HubSpot's own Zoom integration (zoom_webinar_attendance_count and
// friends) on purpose. Each call returns new values.
func ContactProperties() []*hubspot.Property {
	return []*hubspot.Property{
		{Name: "zoom_average_webinar_attendance_percent", Label: "Zoom: average webinar attendance (%)", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
			Description: "Mean, over the webinar instances the contact attended, of the share of the instance the contact was present (0-100)."},
		{Name: "zoom_last_registered_webinar_url", Label: "Zoom: last registered webinar URL", Type: "string", FieldType: "text", GroupName: "zoom_webinars",
			Description: "Join URL of the webinar the contact most recently registered for."},
		{Name: "zoom_total_webinar_registrations", Label: "Zoom: webinar registrations", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
			Description: "Number of webinars the contact registered for (approved or pending)."},
		{Name: "zoom_total_webinars_attended", Label: "Zoom: webinar instances attended", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
			Description: "Number of webinar instances the contact attended."},
		{Name: "zoom_webinar_questions_asked", Label: "Zoom: webinar questions asked", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
			Description: "Number of questions the contact asked in webinar Q&A."},
		{Name: "zoom_webinar_polls_answered", Label: "Zoom: webinar poll questions answered", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
			Description: "Number of webinar poll questions the contact answered."},
		{Name: "zoom_last_webinar_attended_date", Label: "Zoom: last webinar attended", Type: "date", FieldType: "date", GroupName: "zoom_webinars",
			Description: "Date (UTC) of the latest webinar instance the contact attended."},
	}
}

// contactsQuery reads the load-ready contacts with the hash the CRM last
// acknowledged for each. Values are cast to text here, the form HubSpot
// takes every property in; the date is already YYYY-MM-DD, a form HubSpot
// takes for a date property (midnight UTC).
const contactsQuery = `
SELECT c.email,
       c.firstname,
       c.lastname,
       CAST(c.zoom_average_webinar_attendance_percent AS VARCHAR) AS zoom_average_webinar_attendance_percent,
       c.zoom_last_registered_webinar_url,
       CAST(c.zoom_total_webinar_registrations AS VARCHAR) AS zoom_total_webinar_registrations,
       CAST(c.zoom_total_webinars_attended AS VARCHAR) AS zoom_total_webinars_attended,
       CAST(c.zoom_webinar_questions_asked AS VARCHAR) AS zoom_webinar_questions_asked,
       CAST(c.zoom_webinar_polls_answered AS VARCHAR) AS zoom_webinar_polls_answered,
       c.zoom_last_webinar_attended_date,
       s.hash AS acknowledged_hash
FROM contacts c
LEFT JOIN load_state s ON s.object_type = 'contact' AND s.key = c.email
ORDER BY c.email`

// Config configures a load.
type Config struct {
	Client    *hubspot.Client
	DB        *sql.DB // the transform engine's catalog, with the contacts view
	RunID     string
	BatchSize int  // 0 means 100, HubSpot's batch maximum
	DryRun    bool // count what would be sent, send nothing, record nothing
	Logger    *slog.Logger
	Now       func() time.Time
	// Progress, when set, is called after each batch with rows handled so far.
	Progress func(rows int)
	// Diff, when set, is told in a dry run what each object would be (DiffRow).
	Diff func(DiffRow)
}

// Summary counts the outcomes of a load.
type Summary struct {
	PropertiesCreated                   []string
	Created, Updated, Unchanged, Failed int
	// Unknown counts the rows sent without a readable answer
	// (OutcomeUnknown); the next run upserts them again.
	Unknown int `json:",omitempty"`
	// Failures maps the key of a failed (or unknown) row to the CRM's
	// reason (first 20 kept).
	Failures map[string]string
	Batches  int
	// Keys names the first rows whose outcome is unknown or that failed.
	Keys RowKeys `json:",omitzero"`
}

// Unsettled names the first contacts whose outcome is unknown or that
// failed, one line each ("contact <email>: failed"); none when the load
// settled everything it sent.
func (sum *Summary) Unsettled() []string { return sum.Keys.describe("contact") }

// Contacts upserts the contacts view into the CRM, by email.
func Contacts(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.BatchSize <= 0 || cfg.BatchSize > 100 {
		cfg.BatchSize = 100
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sum := &Summary{Failures: map[string]string{}}
	if err := EnsureState(ctx, cfg.DB); err != nil {
		return nil, err
	}
	s := contactsSink(cfg, sum)
	// The properties are made sure of before the first batch only: a run
	// with nothing to send reads none.
	s.prepare = func(ctx context.Context) error {
		created, _, err := cfg.Client.Properties.Ensure(ctx, "contacts", PropertyGroup(), ContactProperties())
		if err != nil {
			return fmt.Errorf("creating contact properties: %w", err)
		}
		sum.PropertiesCreated = created
		failpoint.Hit("load.after-property-bootstrap")
		return nil
	}
	err := queryText(ctx, cfg.DB, "contacts", contactsQuery, func(names []string, row []sql.NullString) error {
		return s.add(ctx, contactItem(names, row))
	})
	if err == nil {
		err = s.close(ctx)
	} else {
		_ = s.wait() // the batches in flight are recorded before the counts are read
	}
	sum.fill(s)
	return sum, err
}

// contactsSink is the sink of the contacts: batches of cfg.BatchSize
// upserts by email, whose failure as a whole stops the load.
func contactsSink(cfg Config, sum *Summary) *sink[hubspot.UpsertInput] {
	rec := &recorder{db: cfg.DB, runID: cfg.RunID, now: cfg.Now, dryRun: cfg.DryRun, diff: cfg.Diff,
		unsettled: func(_, key, outcome, message string) {
			if len(sum.Failures) < 20 {
				sum.Failures[key] = message
			}
			sum.Keys.add(outcome, key)
		}}
	if cfg.Client != nil {
		rec.inFlight = cfg.Client.InFlight
	}
	var s *sink[hubspot.UpsertInput]
	s = newSink(rec, sinkSpec[hubspot.UpsertInput]{
		objectType: ObjectContact,
		counts:     new(Counts),
		batchSize:  cfg.BatchSize,
		write: func(ctx context.Context, batch []item[hubspot.UpsertInput]) (answer, error) {
			return upsertContacts(ctx, cfg.Client, batch)
		},
		// A batch answered 2xx with a body that could not be read leaves its
		// rows unknown and the load goes on; any other failure of a batch
		// stops the load (a refused token, HubSpot out of reach).
		onBatchError: func(n int, err error) error {
			if _, ok := errors.AsType[*hubspot.DecodeError](err); ok {
				return nil
			}
			return fmt.Errorf("upserting contacts batch %d: %w", n, err)
		},
		afterBatch: func() {
			if cfg.Progress != nil {
				c := s.counts
				cfg.Progress(c.Created + c.Updated + c.Failed + c.Unchanged)
			}
		},
	})
	return s
}

// fill copies the sink's counts into the summary.
func (sum *Summary) fill(s *sink[hubspot.UpsertInput]) {
	c := s.counts
	sum.Created, sum.Updated, sum.Unchanged, sum.Failed, sum.Unknown, sum.Batches = c.Created, c.Updated, c.Unchanged, c.Failed, c.Unknown, s.batches
}

// contactItem maps a row of contactsQuery (every column text, the
// acknowledged hash last) to the upsert of the contact.
func contactItem(names []string, row []sql.NullString) item[hubspot.UpsertInput] {
	email := row[0].String
	props := map[string]string{"email": email}
	for c := 1; c < len(row)-1; c++ {
		// Names stay untouched when Zoom had none; the zoom_ properties
		// are ours, so an empty value clears.
		name := names[c]
		if !row[c].Valid && (name == "firstname" || name == "lastname") {
			continue
		}
		props[name] = row[c].String
	}
	ackedHash := row[len(row)-1]
	return item[hubspot.UpsertInput]{key: email, hash: hashProperties(props),
		in:   hubspot.UpsertInput{ID: email, IDProperty: "email", Properties: props},
		prev: acked{hash: ackedHash.String}, seen: ackedHash.Valid}
}

// upsertContacts writes one batch; the CRM's answer says which contacts
// were created.
func upsertContacts(ctx context.Context, client *hubspot.Client, batch []item[hubspot.UpsertInput]) (answer, error) {
	in := make([]hubspot.UpsertInput, len(batch))
	for i, it := range batch {
		in[i] = it.in
		in[i].ObjectWriteTraceID = strconv.Itoa(i)
	}
	outs, _, err := client.Contacts.BatchUpsert(ctx, in)
	if err != nil {
		return answer{}, err
	}
	results := make([]result, len(batch))
	for i, o := range outs {
		results[i] = result{crmID: o.ID, err: o.Err, outcome: OutcomeUpdated}
		if o.Created {
			results[i].outcome = OutcomeCreated
		}
	}
	return answer{results: results}, nil
}
