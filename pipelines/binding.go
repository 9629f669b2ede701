package pipelines

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/schema"
)

// Systems a lake is bound to (table bindings).
const (
	SystemZoom    = "zoom"    // id: the Zoom account id (ZOOM_ACCOUNT_ID)
	SystemHubSpot = "hubspot" // id: the HubSpot portal id (GET /account-info/v3/details)
)

const bindingsDDL = `
CREATE TABLE IF NOT EXISTS bindings (
	system   VARCHAR PRIMARY KEY, -- zoom, hubspot
	id       VARCHAR NOT NULL,    -- Zoom account id, HubSpot portal id
	bound_at TIMESTAMP NOT NULL
)`

// ErrOtherAccount is what a run against another Zoom account or HubSpot
// portal than the lake's is refused with (a *BindingError says which).
var ErrOtherAccount = errors.New("the lake is bound to another account")

// BindingError is a run refused because the configured account of a system
// is not the one the lake is bound to.
type BindingError struct {
	System     string // SystemZoom or SystemHubSpot
	Bound      string // the id the lake holds
	BoundAt    time.Time
	Configured string // the id of this run's configuration
}

func (e *BindingError) Error() string {
	what, env := "Zoom account", "ZOOM_ACCOUNT_ID"
	if e.System == SystemHubSpot {
		what, env = "HubSpot portal", "HUBSPOT_TOKEN and HUBSPOT_API_URL"
	}
	return fmt.Sprintf("this lake is bound to %s %s (since %s), but the configuration points at %s %s: nothing was sent; "+
		"set %s back to %s %s, use another --data-dir for %s %s, or run `zoomsync sync --rebind` to bind the lake to %s %s "+
		"(the load state is reset and everything is sent again)",
		what, e.Bound, e.BoundAt.UTC().Format(time.DateOnly), what, e.Configured,
		env, what, e.Bound, what, e.Configured, what, e.Configured)
}

// Is makes errors.Is(err, ErrOtherAccount) true.
func (e *BindingError) Is(target error) bool { return target == ErrOtherAccount }

// Rebound is a binding changed by a run with --rebind.
type Rebound struct {
	System string `json:"system"`
	From   string `json:"from"`
	To     string `json:"to"`
	// StateReset counts the load_state rows deleted (HubSpot): what the
	// previous portal acknowledged, all sent again.
	StateReset int64 `json:"state_reset,omitempty"`
	// MovedAside are the raw CRM snapshot streams of the previous portal,
	// moved out of the lake (HubSpot).
	MovedAside []string `json:"moved_aside,omitempty"`
}

// binding is the id of a system as this run's configuration sees it.
type binding struct{ system, id string }

// zoomBinding is the configured Zoom account.
func zoomBinding(cfg *Config) binding { return binding{SystemZoom, cfg.Zoom.AccountID} }

// hubSpotBinding asks HubSpot which portal the configured token writes to.
func hubSpotBinding(ctx context.Context, client *hubspot.Client) (binding, error) {
	d, _, err := client.AccountInfo.Details(ctx)
	if err != nil {
		return binding{}, fmt.Errorf("reading the HubSpot portal id (GET /account-info/v3/details): %w", err)
	}
	return binding{SystemHubSpot, strconv.FormatInt(d.PortalID, 10)}, nil
}

// bind checks a run's systems against the lake's bindings before anything
// is fetched or sent. A system not bound yet is bound to the configured id
// (except in a dry run, which records nothing). A system bound to another
// id refuses the run with a *BindingError for each, unless rebind: then
// HubSpot's load state is reset and its CRM snapshot moved aside (so
// everything is sent again, by upserts, and nothing the previous portal
// said is used), and the new id is recorded.
func bind(ctx context.Context, cfg *Config, cat *catalog, res *RunResult, rebind, dry bool, want ...binding) error {
	e, err := cat.Engine()
	if err != nil {
		return err
	}
	db := e.DB()
	bound, err := readBindings(ctx, db)
	if err != nil {
		return err
	}
	var refused []error
	var changed []binding
	for _, w := range want {
		b, ok := bound[w.system]
		switch {
		case ok && b.id == w.id:
		case ok && (!rebind || dry):
			refused = append(refused, &BindingError{System: w.system, Bound: b.id, BoundAt: b.at, Configured: w.id})
		default:
			changed = append(changed, w)
		}
	}
	if len(refused) > 0 {
		return errors.Join(refused...)
	}
	if dry {
		return nil
	}
	for _, w := range changed {
		b, ok := bound[w.system]
		if !ok {
			if _, err := recordBinding(ctx, db, w, false); err != nil {
				return err
			}
			continue
		}
		r := Rebound{System: w.system, From: b.id, To: w.id}
		if w.system == SystemHubSpot {
			if r.MovedAside, err = moveCRMSnapshotAside(cat.lake, res.RunID); err != nil {
				return err
			}
		}
		if r.StateReset, err = recordBinding(ctx, db, w, w.system == SystemHubSpot); err != nil {
			return err
		}
		cfg.logger().InfoContext(ctx, "lake rebound", "system", w.system, "from", b.id, "to", w.id,
			"load_state_reset", r.StateReset, "moved_aside", strings.Join(r.MovedAside, ","))
		res.Rebound = append(res.Rebound, r)
	}
	return nil
}

type boundID struct {
	id string
	at time.Time
}

func readBindings(ctx context.Context, db *sql.DB) (map[string]boundID, error) {
	if _, err := db.ExecContext(ctx, bindingsDDL); err != nil {
		return nil, fmt.Errorf("creating bindings table: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT system, id, bound_at FROM bindings`)
	if err != nil {
		return nil, fmt.Errorf("reading bindings: %w", err)
	}
	defer rows.Close()
	out := map[string]boundID{}
	for rows.Next() {
		var s string
		var b boundID
		if err := rows.Scan(&s, &b.id, &b.at); err != nil {
			return nil, fmt.Errorf("reading bindings: %w", err)
		}
		out[s] = b
	}
	return out, rows.Err()
}

// recordBinding records a system's id and, with resetLoad, empties the load
// state in the same transaction; it returns how many load_state rows went.
func recordBinding(ctx context.Context, db *sql.DB, b binding, resetLoad bool) (int64, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var n int64
	if resetLoad {
		var tables int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'load_state' AND schema_name = 'main' AND database_name = current_database()`).Scan(&tables)
		if err != nil {
			return 0, fmt.Errorf("resetting load state: %w", err)
		}
		if tables > 0 {
			r, err := tx.ExecContext(ctx, `DELETE FROM load_state`)
			if err != nil {
				return 0, fmt.Errorf("resetting load state: %w", err)
			}
			n, _ = r.RowsAffected()
		}
		// The previous portal's snapshot files were moved aside: they
		// leave the manifest with it, or verification would call them lost.
		if _, err := tx.ExecContext(ctx, manifestDDL); err != nil {
			return 0, fmt.Errorf("resetting load state: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lake_manifest WHERE stream IN (?, ?)`,
			schema.StreamCRMUsers, schema.StreamCRMContactsSeen); err != nil {
			return 0, fmt.Errorf("resetting load state: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO bindings VALUES (?, ?, ?)`, b.system, b.id, time.Now().UTC())
	if err != nil {
		return 0, fmt.Errorf("recording the %s binding: %w", b.system, err)
	}
	return n, tx.Commit()
}

// moveCRMSnapshotAside moves the raw CRM snapshot streams (the previous
// portal's users and what it knew of each email) to rebound/<run id>/ in
// the data directory, out of the lake's globs, and returns what it moved.
func moveCRMSnapshotAside(lake schema.Lake, runID string) ([]string, error) {
	var moved []string
	for _, stream := range []string{schema.StreamCRMUsers, schema.StreamCRMContactsSeen} {
		from := filepath.Join(lake.Dir, "raw", stream)
		if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
			continue
		}
		to := filepath.Join(lake.Dir, "rebound", runID, stream)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return moved, fmt.Errorf("moving the previous portal's CRM snapshot aside: %w", err)
		}
		if err := os.Rename(from, to); err != nil {
			return moved, fmt.Errorf("moving the previous portal's CRM snapshot aside: %w", err)
		}
		moved = append(moved, filepath.ToSlash(filepath.Join("rebound", runID, stream)))
	}
	return moved, nil
}
