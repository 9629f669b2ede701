package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/zoomsync/zoomsync/transform"
)

// auditQuery groups the audit rows of a transform per webinar, category,
// reason, email and detail; rows counts the raw rows (a registration, an
// attended instance, a participant session) behind each.
const auditQuery = `
SELECT a.run_id,
       a.webinar_id,
       any_value(w.topic) AS topic,
       a.category,
       a.reason,
       a.email,
       a.detail,
       count(*) AS rows
FROM %s a
LEFT JOIN webinars w ON w.webinar_id = a.webinar_id
WHERE %s
GROUP BY a.run_id, a.webinar_id, a.category, a.reason, a.email, a.detail
ORDER BY a.webinar_id NULLS FIRST, a.category, a.reason, a.email NULLS LAST, a.detail NULLS LAST`

// AuditFilter narrows the audit rows; zero values select everything.
type AuditFilter struct {
	WebinarID int64  // only this webinar
	RunID     string // only the audit of this run (the catalog's audit_history), instead of the last transform's
}

// Audit returns the grouped audit rows of the last transform (or of the
// run f names, kept in audit_history for the last transform.AuditRunsKept
// runs), ordered by webinar (rows of no webinar first), category, reason,
// email and detail, with the columns run_id, webinar_id, topic, category,
// reason, email, detail and rows. The caller closes the rows.
func Audit(ctx context.Context, e *transform.Engine, f AuditFilter) (*sql.Rows, error) {
	where, args := []string{"true"}, []any{}
	if f.WebinarID != 0 {
		where, args = append(where, "a.webinar_id = ?"), append(args, f.WebinarID)
	}
	source := "audit"
	if f.RunID != "" {
		where, args = append(where, "a.run_id = ?"), append(args, f.RunID)
		source = "audit_history"
		var n int
		if err := e.DB().QueryRowContext(ctx, "SELECT count(*) FROM audit_history WHERE run_id = ?", f.RunID).Scan(&n); err != nil {
			return nil, fmt.Errorf("reading the audit history: %w", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("no audit for run %s: the lake keeps the audits of the last %d transforms (zoomsync query \"SELECT DISTINCT run_id FROM audit_history\")", f.RunID, transform.AuditRunsKept)
		}
	}
	source, err := withLoadAudit(ctx, e.DB(), source, f.RunID != "")
	if err != nil {
		return nil, err
	}
	rows, err := e.DB().QueryContext(ctx, fmt.Sprintf(auditQuery, source, strings.Join(where, " AND ")), args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit: %w", err)
	}
	return rows, nil
}
