package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// auditQuery groups the audit rows per webinar, category, reason, email
// and detail; rows counts the raw rows (a registration, an attended
// instance, a participant session, a row the CRM rejected) behind each.
// The first %s is the relation of the transform's rows, the second the
// load's rejected rows, the third the filter.
const auditQuery = `
SELECT a.run_id,
       a.webinar_id,
       any_value(w.topic) AS topic,
       a.category,
       a.reason,
       a.email,
       a.detail,
       count(*) AS rows
FROM (SELECT run_id, webinar_id, category, reason, email, detail FROM %s
      UNION ALL
      %s) a
LEFT JOIN webinars w ON w.webinar_id = a.webinar_id
WHERE %s
GROUP BY a.run_id, a.webinar_id, a.category, a.reason, a.email, a.detail
ORDER BY a.webinar_id NULLS FIRST, a.category, a.reason, a.email NULLS LAST, a.detail NULLS LAST`

// rejectedReasons maps each object type the loader writes to the reason its
// rows the CRM rejected are audited with (schema.AuditReasons gives the
// category). Timeline and custom events are not here: the load audits
// every event not created itself, HubSpot's message included (load_audit,
// timeline_event_not_created), so a refused event is one audit row.
var rejectedReasons = map[string]string{
	load.ObjectContact:        schema.ReasonContactRejected,
	load.ObjectMarketingEvent: schema.ReasonMarketingEventRejected,
	load.ObjectParticipation:  schema.ReasonParticipationRejected,
	load.ObjectCall:           schema.ReasonCallRejected,
	load.ObjectCallContact:    schema.ReasonCallRejected,
}

// rejectedQuery returns the rows of load_log the CRM rejected (outcome
// failed) in the runs runFilter selects (a condition on l.run_id), as audit
// rows: the reason and category of their object type, HubSpot's error
// category and message as the detail, and the webinar and email the row's
// key stands for (load.RowFactsQuery). An object type not in
// rejectedReasons is left out. Without a load_log table it selects nothing.
func rejectedQuery(hasLoadLog bool, runFilter string) string {
	if !hasLoadLog {
		return `SELECT CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
       CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR) WHERE false`
	}
	category := map[string]string{}
	for _, r := range schema.AuditReasons() {
		category[r.Reason] = r.Category
	}
	var vals []string
	for _, obj := range slices.Sorted(maps.Keys(rejectedReasons)) {
		reason := rejectedReasons[obj]
		vals = append(vals, fmt.Sprintf("(%s, %s, %s)", transform.QuoteString(obj), transform.QuoteString(reason),
			transform.QuoteString(category[reason])))
	}
	return fmt.Sprintf(`SELECT l.run_id, any_value(k.webinar_id), r.category, r.reason, any_value(k.email),
       concat_ws(': ', nullif(l.error_category, ''), l.error_message)
FROM load_log l
JOIN (VALUES %s) r(object_type, reason, category) ON r.object_type = l.object_type
LEFT JOIN (%s) k ON k.object_type = l.object_type AND k.key = l.key
WHERE l.outcome = %s AND %s
GROUP BY l.run_id, l.object_type, l.key, l.logged_at, l.error_category, l.error_message, r.reason, r.category`,
		strings.Join(vals, ", "), load.RowFactsQuery(), transform.QuoteString(load.OutcomeFailed), runFilter)
}

// AuditFilter narrows the audit rows; zero values select everything.
type AuditFilter struct {
	WebinarID int64  // only this webinar
	RunID     string // only the audit of this run (the catalog's audit_history), instead of the last transform's
}

// Audit returns the grouped audit rows of the last transform (or of the
// run f names, kept in audit_history for the last transform.AuditRunsKept
// runs), ordered by webinar (rows of no webinar first), category, reason,
// email and detail, with the columns run_id, webinar_id, topic, category,
// reason, email, detail and rows. The rows the CRM rejected at load time
// (load_log) are audit rows too, with HubSpot's message as the detail:
// those of the latest run that loaded anything, or of the run f names. The
// caller closes the rows.
func Audit(ctx context.Context, e *transform.Engine, f AuditFilter) (*sql.Rows, error) {
	where, args := []string{"true"}, []any{}
	if f.WebinarID != 0 {
		where, args = append(where, "a.webinar_id = ?"), append(args, f.WebinarID)
	}
	var hasLoadLog bool
	if err := e.DB().QueryRowContext(ctx, "SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'load_log'").Scan(&hasLoadLog); err != nil {
		return nil, fmt.Errorf("reading the audit: %w", err)
	}
	source, loadRuns := "audit", "l.run_id = (SELECT max(run_id) FROM load_log)"
	if f.RunID != "" {
		source, loadRuns = "audit_history", "l.run_id = "+transform.QuoteString(f.RunID)
		where = append(where, "a.run_id = "+transform.QuoteString(f.RunID))
		q := "SELECT count(*) FROM audit_history WHERE run_id = ?"
		if hasLoadLog {
			q += " UNION ALL SELECT count(*) FROM load_log WHERE run_id = ?"
		}
		if n, err := countRows(ctx, e.DB(), q, f.RunID); err != nil {
			return nil, fmt.Errorf("reading the audit history: %w", err)
		} else if n == 0 {
			return nil, fmt.Errorf("no audit for run %s: the lake keeps the audits of the last %d transforms (zoomsync query \"SELECT DISTINCT run_id FROM audit_history\")", f.RunID, transform.AuditRunsKept)
		}
	}
	source, err := withLoadAudit(ctx, e.DB(), source, f.RunID != "")
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(auditQuery, source, rejectedQuery(hasLoadLog, loadRuns), strings.Join(where, " AND "))
	rows, err := e.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit: %w", err)
	}
	return rows, nil
}

// countRows sums the counts q returns (one per row); q takes id once per
// placeholder.
func countRows(ctx context.Context, db *sql.DB, q, id string) (int, error) {
	args := make([]any, strings.Count(q, "?"))
	for i := range args {
		args[i] = id
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, rows.Err()
}
