//go:build duckdb_arrow

package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/load/hubspot"
)

// PropertyGroup is the contact property group zoomsync writes into.
var PropertyGroup = &hubspot.PropertyGroup{Name: "zoom_webinars", Label: "Zoom webinars", DisplayOrder: -1}

// ContactProperties are the contact properties zoomsync maintains (DESIGN.md,
// "What the CRM receives"). Their names differ from those of HubSpot's own
// Zoom integration (zoom_webinar_attendance_count and friends) on purpose.
var ContactProperties = []*hubspot.Property{
	{Name: "zoom_average_webinar_attendance_percent", Label: "Zoom: average webinar attendance (%)", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
		Description: "Mean, over the webinar instances the contact attended, of the share of the instance the contact was present (0-100)."},
	{Name: "zoom_last_registered_webinar_url", Label: "Zoom: last registered webinar URL", Type: "string", FieldType: "text", GroupName: "zoom_webinars",
		Description: "Join URL of the webinar the contact most recently registered for."},
	{Name: "zoom_total_webinar_registrations", Label: "Zoom: webinar registrations", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
		Description: "Number of webinars the contact registered for (approved or pending)."},
	{Name: "zoom_total_webinars_attended", Label: "Zoom: webinar instances attended", Type: "number", FieldType: "number", GroupName: "zoom_webinars",
		Description: "Number of webinar instances the contact attended."},
}

// contactsQuery reads the load-ready contacts with the hash the CRM last
// acknowledged for each. Values are cast to text here, the form HubSpot
// takes every property in.
const contactsQuery = `
SELECT c.email,
       c.firstname,
       c.lastname,
       CAST(c.zoom_average_webinar_attendance_percent AS VARCHAR) AS zoom_average_webinar_attendance_percent,
       c.zoom_last_registered_webinar_url,
       CAST(c.zoom_total_webinar_registrations AS VARCHAR) AS zoom_total_webinar_registrations,
       CAST(c.zoom_total_webinars_attended AS VARCHAR) AS zoom_total_webinars_attended,
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
}

// Summary counts the outcomes of a load.
type Summary struct {
	PropertiesCreated                   []string
	Created, Updated, Unchanged, Failed int
	// Failures maps a failed row's key to the CRM's reason (first 20 kept).
	Failures map[string]string
	Batches  int
}

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
	if !cfg.DryRun {
		created, err := cfg.Client.Properties.Ensure(ctx, "contacts", PropertyGroup, ContactProperties)
		if err != nil {
			return nil, fmt.Errorf("creating contact properties: %w", err)
		}
		sum.PropertiesCreated = created
	}

	conn, err := cfg.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var batch []hubspot.UpsertInput
	hashes := map[string]string{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		defer func() { batch = batch[:0]; clear(hashes) }()
		sum.Batches++
		if cfg.DryRun {
			return nil
		}
		outcomes, err := cfg.Client.Contacts.BatchUpsert(ctx, batch)
		if err != nil {
			return fmt.Errorf("upserting contacts batch %d: %w", sum.Batches, err)
		}
		if err := record(ctx, cfg, sum, outcomes, hashes); err != nil {
			return err
		}
		if cfg.Progress != nil {
			cfg.Progress(sum.Created + sum.Updated + sum.Failed + sum.Unchanged)
		}
		return nil
	}

	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, contactsQuery)
		if err != nil {
			return fmt.Errorf("reading contacts: %w", err)
		}
		defer rdr.Release()
		for rdr.Next() {
			rec := rdr.RecordBatch()
			cols := rec.Columns()
			names := rec.Schema().Fields()
			for i := 0; i < int(rec.NumRows()); i++ {
				email := str(cols[0], i)
				props := map[string]string{"email": email}
				for c := 1; c < len(cols)-1; c++ {
					// Names stay untouched when Zoom had none; the four
					// zoom_ properties are ours, so an empty value clears.
					name := names[c].Name
					if cols[c].IsNull(i) && (name == "firstname" || name == "lastname") {
						continue
					}
					props[name] = str(cols[c], i)
				}
				h := hashProperties(props)
				if str(cols[len(cols)-1], i) == h {
					sum.Unchanged++
					continue
				}
				if _, dup := hashes[email]; dup {
					return fmt.Errorf("contacts table holds %q twice", email)
				}
				hashes[email] = h
				batch = append(batch, hubspot.UpsertInput{
					ID: email, IDProperty: "email", Properties: props,
					ObjectWriteTraceID: strconv.Itoa(len(batch)),
				})
				if cfg.DryRun {
					if cols[len(cols)-1].IsNull(i) {
						sum.Created++
					} else {
						sum.Updated++
					}
				}
				if len(batch) == cfg.BatchSize {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := rdr.Err(); err != nil {
			return fmt.Errorf("reading contacts: %w", err)
		}
		return flush()
	})
	return sum, err
}

// record writes the outcomes of one batch to load_log, and the acknowledged
// ones to load_state, in one transaction of two multi-row statements (a
// statement per row costs DuckDB more than the HTTP call of the batch). It
// runs on another connection of the pool than the Arrow stream: a
// statement on the streaming connection would end the stream.
func record(ctx context.Context, cfg Config, sum *Summary, outcomes []hubspot.RowOutcome, hashes map[string]string) (err error) {
	if len(outcomes) != len(hashes) {
		return errors.New("the CRM answered for a different number of rows than were sent")
	}
	now := cfg.Now().UTC()
	var logArgs, stateArgs []any
	for _, o := range outcomes {
		key := o.Input.ID
		outcome, category, message := OutcomeUpdated, "", ""
		switch {
		case o.Err != nil:
			outcome, category, message = OutcomeFailed, o.Err.Category, o.Err.Message
			sum.Failed++
			if len(sum.Failures) < 20 {
				sum.Failures[key] = message
			}
		case o.Created:
			outcome = OutcomeCreated
			sum.Created++
		default:
			sum.Updated++
		}
		logArgs = append(logArgs, cfg.RunID, key, nullable(o.ContactID), outcome, nullable(category), nullable(message), now)
		if o.Err == nil {
			stateArgs = append(stateArgs, key, o.ContactID, hashes[key], cfg.RunID, now)
		}
	}
	tx, err := cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, "INSERT INTO load_log VALUES "+placeholders(len(logArgs)/7, "(?, 'contact', ?, ?, ?, ?, ?, ?)"), logArgs...); err != nil {
		return fmt.Errorf("recording outcomes: %w", err)
	}
	if len(stateArgs) > 0 {
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO load_state VALUES "+placeholders(len(stateArgs)/5, "('contact', ?, ?, ?, ?, ?)"), stateArgs...); err != nil {
			return fmt.Errorf("recording load state: %w", err)
		}
	}
	return tx.Commit()
}

// placeholders repeats one row's VALUES tuple n times.
func placeholders(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// str copies a value out of an Arrow column. The copy matters: Arrow's
// strings alias the record's buffers, which are released and reused once
// the reader moves on, while a batch outlives the record it came from.
func str(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return ""
	}
	return strings.Clone(a.ValueStr(i))
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
