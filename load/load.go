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
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Outcome of one row.
const (
	OutcomeCreated   = "created"
	OutcomeUpdated   = "updated"
	OutcomeUnchanged = "unchanged" // same hash as the last acknowledgement: not sent
	OutcomeFailed    = "failed"    // the CRM refused the row; retried next run
)

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

// hashProperties is the fingerprint of what is sent for one object: a
// SHA-256 of its properties as canonical JSON (encoding/json sorts map keys).
func hashProperties(props map[string]string) string {
	b, _ := json.Marshal(props)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
