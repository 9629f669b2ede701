package transform

import (
	"context"
	"fmt"
	"strings"

	"github.com/zoomsync/zoomsync/schema"
)

// fillAuditReasons (re)creates the table audit_reasons from
// schema.AuditReasons, one row per reason code, for the SQL to join instead
// of repeating reason codes and categories (080_audit.sql,
// 025_sync_settings.sql):
//
//	audit_reasons(reason, category, message, reported_as, skips_webinar,
//	              redecided, settled_by)
//
// reported_as and settled_by are NULL where the Go field is empty.
func fillAuditReasons(ctx context.Context, q execQuerier) error {
	reasons := schema.AuditReasons()
	vals := make([]string, len(reasons))
	nullable := func(s string) string {
		if s == "" {
			return "NULL"
		}
		return QuoteString(s)
	}
	for i, r := range reasons {
		vals[i] = fmt.Sprintf("(%s, %s, %s, %s, %t, %t, %s)", QuoteString(r.Reason), QuoteString(r.Category),
			QuoteString(r.Message), nullable(r.ReportedAs), r.SkipsWebinar, r.Redecided, nullable(r.SettledBy))
	}
	for _, s := range []string{
		`CREATE OR REPLACE TABLE audit_reasons (
    reason        VARCHAR PRIMARY KEY,
    category      VARCHAR NOT NULL,
    message       VARCHAR NOT NULL,
    reported_as   VARCHAR,
    skips_webinar BOOLEAN NOT NULL,
    redecided     BOOLEAN NOT NULL,
    settled_by    VARCHAR
)`,
		"INSERT INTO audit_reasons VALUES " + strings.Join(vals, ",\n"),
	} {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("transform: filling audit_reasons: %w", err)
		}
	}
	return nil
}
