package pipelines

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/zoomsync/zoomsync/load"
)

// withLoadAudit returns the audit relation source (audit, or audit_history
// for --run) joined with the load's audit rows (load.LoadAuditTable: the
// timeline events not created) when the catalog has that table. Without
// --run the load rows are those of the last transform's run (or, when it
// left nothing out, of the last run that wrote any).
func withLoadAudit(ctx context.Context, db *sql.DB, source string, byRun bool) (string, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = ?`,
		load.LoadAuditTable).Scan(&n); err != nil {
		return "", fmt.Errorf("reading the audit: %w", err)
	}
	if n == 0 {
		return source, nil
	}
	const cols = "run_id, webinar_id, category, reason, email, detail"
	run := ""
	if !byRun {
		run = fmt.Sprintf(" WHERE run_id = coalesce((SELECT max(run_id) FROM %s), (SELECT max(run_id) FROM %s))", source, load.LoadAuditTable)
	}
	return fmt.Sprintf("(SELECT %s FROM %s UNION ALL SELECT %s FROM %s%s)", cols, source, cols, load.LoadAuditTable, run), nil
}
