// Package load sends the transform's load-ready tables to the CRM.
//
// The loader streams the out/ tables from DuckDB (the contacts as Arrow
// record batches when built with the duckdb_arrow tag, query_arrow.go;
// through database/sql otherwise) into batches of the API's maximum size,
// without a copy of the whole table in memory. Every CRM object type goes
// through one sink (sink.go): it compares each row with what the CRM last
// acknowledged (load_state), sends only what changed, and records the
// outcome of every row it sent (load_log) right after each batch. A failed
// row is not written to load_state, so the next run sends it again; a row
// the CRM acknowledged is never sent twice unchanged. One file per object
// type: contacts.go, marketingevents.go, participations.go, timeline.go,
// calls.go.
package load

import (
	"context"
	"database/sql"
	"fmt"
)

// Outcome of one row.
const (
	OutcomeCreated   = "created"
	OutcomeUpdated   = "updated"
	OutcomeUnchanged = "unchanged" // same hash as the last acknowledgement: not sent
	OutcomeFailed    = "failed"    // the CRM refused the row; retried next run
	// OutcomeUnknown: the row was sent and no readable answer came back (a
	// lost connection, a 5xx, a body cut off): the CRM may hold it or not.
	// It is not acknowledged, so the next run sends it again, which every
	// write settles (upserts by a unique key, updates by id, deterministic
	// event ids).
	OutcomeUnknown = "unknown"
)

// MaxRowKeys is how many keys of unknown and of failed rows a summary
// names, per object type.
const MaxRowKeys = 5

// RowKeys names the first rows (at most MaxRowKeys of each) of an object
// type that ended with an unknown outcome or failed: the run is partial,
// and the next run sends them again.
type RowKeys struct {
	Unknown []string `json:"unknown,omitempty"`
	Failed  []string `json:"failed,omitempty"`
}

// add keeps key if fewer than MaxRowKeys of its outcome are kept.
func (k *RowKeys) add(outcome, key string) {
	switch {
	case outcome == OutcomeUnknown && len(k.Unknown) < MaxRowKeys:
		k.Unknown = append(k.Unknown, key)
	case outcome == OutcomeFailed && len(k.Failed) < MaxRowKeys:
		k.Failed = append(k.Failed, key)
	}
}

// describe renders the keys as lines "<object type> <key>: <outcome>".
func (k *RowKeys) describe(objectType string) []string {
	var out []string
	for _, key := range k.Unknown {
		out = append(out, objectType+" "+key+": "+OutcomeUnknown)
	}
	for _, key := range k.Failed {
		out = append(out, objectType+" "+key+": "+OutcomeFailed)
	}
	return out
}

// stateDDL creates the loader's tables in zoomsync.duckdb.
const stateDDL = `
CREATE TABLE IF NOT EXISTS load_state (
	object_type     VARCHAR NOT NULL,
	key             VARCHAR NOT NULL,
	crm_id          VARCHAR,
	hash            VARCHAR NOT NULL,
	run_id          VARCHAR NOT NULL,
	acknowledged_at TIMESTAMP NOT NULL,
	PRIMARY KEY (object_type, key)
);
CREATE TABLE IF NOT EXISTS load_log (
	run_id         VARCHAR NOT NULL,
	object_type    VARCHAR NOT NULL,
	key            VARCHAR NOT NULL,
	crm_id         VARCHAR,
	outcome        VARCHAR NOT NULL,
	error_category VARCHAR,
	error_message  VARCHAR,
	logged_at      TIMESTAMP NOT NULL
);`

// EnsureState creates the load_state and load_log tables when missing.
func EnsureState(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, stateDDL); err != nil {
		return fmt.Errorf("creating load state tables: %w", err)
	}
	return nil
}
