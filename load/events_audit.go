package load

import (
	"context"
	"fmt"

	"github.com/zoomsync/zoomsync/schema"
)

// loadAuditDDL creates load_audit: the audit rows a load writes (the
// transform writes the rest, out/audit), with the columns of the audit.
// pipelines.Audit shows them with the transform's rows of the same run.
const loadAuditDDL = `
CREATE TABLE IF NOT EXISTS load_audit (
	run_id     VARCHAR NOT NULL,
	webinar_id BIGINT,
	category   VARCHAR NOT NULL,
	reason     VARCHAR NOT NULL,
	email      VARCHAR,
	detail     VARCHAR,
	logged_at  TIMESTAMP NOT NULL
)`

// LoadAuditTable is the catalog table of the load's audit rows.
const LoadAuditTable = "load_audit"

// auditEvents writes one audit row (reason timeline_event_not_created) for
// every event that neither route has created after this run: its detail is
// this run's load_log message for it, or why the events were not sent
// (eventsWhy). A dry run writes nothing.
func (a *activity) auditEvents(ctx context.Context) error {
	if a.cfg.DryRun {
		return nil
	}
	why := a.eventsWhy
	if why == "" {
		why = "not sent"
	}
	insert := `INSERT INTO load_audit
SELECT ?, e.audit_webinar_id, ?, ?, e.email, e.template || ': ' || coalesce(l.message, ?), ?
FROM (` + timelineQuery + `) e
LEFT JOIN (
    SELECT key, arg_max(coalesce(error_message, outcome), logged_at) AS message
    FROM load_log
    WHERE run_id = ? AND object_type IN (?, ?) AND outcome <> ?
    GROUP BY key
) l ON l.key = e.template || '/' || e.event_id
WHERE e.template || '/' || e.event_id NOT IN (SELECT key FROM load_state WHERE object_type IN (?, ?))`
	tx, err := a.cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, loadAuditDDL); err != nil {
		return fmt.Errorf("creating load_audit: %w", err)
	}
	reason := schema.ReasonTimelineEventNotCreated
	if _, err := tx.ExecContext(ctx, `DELETE FROM load_audit WHERE run_id = ? AND reason = ?`, a.cfg.RunID, reason); err != nil {
		return fmt.Errorf("writing the audit of timeline events: %w", err)
	}
	if _, err := tx.ExecContext(ctx, insert, a.cfg.RunID, schema.CategoryTimelineNotCreated, reason, why, a.cfg.Now().UTC(),
		a.cfg.RunID, ObjectTimelineEvent, ObjectCustomEvent, OutcomeUnchanged, ObjectTimelineEvent, ObjectCustomEvent); err != nil {
		return fmt.Errorf("writing the audit of timeline events: %w", err)
	}
	return tx.Commit()
}
