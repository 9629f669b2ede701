package transform

import (
	"context"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/schema"
)

// notReasons are the snake_case string literals of the SQL that are not
// reason codes: a participant status, a CRM answer, a variable name.
var notReasons = []string{"in_meeting", "not_found", "run_id"}

var (
	snakeLiteral  = regexp.MustCompile(`'([a-z][a-z0-9]*(?:_[a-z0-9]+)+)'`)
	phraseLiteral = regexp.MustCompile(`'([a-z]+(?: [a-z/]+){2,})'`)
)

// TestAuditReasons_table checks the table itself: unique codes, each with a
// category of DESIGN.md and a message, reported-as codes that are listed,
// and codes with an underscore (so TestAuditReasons_SQL sees every use).
func TestAuditReasons_table(t *testing.T) {
	t.Parallel()
	categories := []string{
		schema.CategorySyncSettingDisabled, schema.CategoryRecordingNotSynced, schema.CategoryAttendeesNotSynced,
		schema.CategoryWebinarDataNotSynced, schema.CategoryEmailsExcluded, schema.CategorySyncError,
		schema.CategoryTimelineEventNotCreated,
	}
	seen := map[string]bool{}
	reasons := schema.AuditReasons()
	for _, r := range reasons {
		if seen[r.Reason] {
			t.Errorf("reason %s listed twice", r.Reason)
		}
		seen[r.Reason] = true
		if !snakeLiteral.MatchString("'" + r.Reason + "'") {
			t.Errorf("reason %q is not a snake_case code with an underscore", r.Reason)
		}
		if !slices.Contains(categories, r.Category) {
			t.Errorf("reason %s: category %q is none of %q", r.Reason, r.Category, categories)
		}
		if r.Message == "" {
			t.Errorf("reason %s has no message", r.Reason)
		}
		if !slices.Contains([]string{"", "report", "recording", "transcript"}, r.SettledBy) {
			t.Errorf("reason %s: SettledBy %q is unknown", r.Reason, r.SettledBy)
		}
	}
	for _, r := range reasons {
		if r.ReportedAs != "" && !seen[r.ReportedAs] {
			t.Errorf("reason %s is reported as %s, which is not listed", r.Reason, r.ReportedAs)
		}
	}
	for _, n := range notReasons {
		if seen[n] {
			t.Errorf("%s is both a reason and listed in notReasons", n)
		}
	}
}

// TestAuditReasons_SQL fails when a SQL file uses a reason code (or a
// category) that schema.AuditReasons does not list, or does not handle a
// SettledBy value the table uses.
func TestAuditReasons_SQL(t *testing.T) {
	t.Parallel()
	reasons, categories, settled := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range schema.AuditReasons() {
		reasons[r.Reason], categories[r.Category] = true, true
		if r.SettledBy != "" {
			settled[r.SettledBy] = true
		}
	}
	files, err := fs.Glob(SQL(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	literals := map[string]bool{}
	used := 0
	for _, name := range files {
		data, err := fs.ReadFile(SQL(), name)
		if err != nil {
			t.Fatal(err)
		}
		code := sqlComment.ReplaceAllString(string(data), "")
		for _, m := range sqlString.FindAllString(code, -1) {
			literals[strings.Trim(m, "'")] = true
		}
		for _, m := range snakeLiteral.FindAllStringSubmatch(code, -1) {
			if slices.Contains(notReasons, m[1]) {
				continue
			}
			used++
			if !reasons[m[1]] {
				t.Errorf("%s uses the reason %q, which schema.AuditReasons does not list", name, m[1])
			}
		}
		for _, m := range phraseLiteral.FindAllStringSubmatch(code, -1) {
			if !categories[m[1]] {
				t.Errorf("%s uses the category %q, which schema.AuditReasons does not list", name, m[1])
			}
		}
	}
	if used == 0 {
		t.Error("no reason code found in the SQL: the scan is broken")
	}
	for s := range settled {
		if !literals[s] {
			t.Errorf("SettledBy %q is used by schema.AuditReasons but no SQL file handles it", s)
		}
	}
}

// TestFillAuditReasons checks that the DuckDB table holds the Go table.
func TestFillAuditReasons(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := Open(ctx, schema.Lake{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := fillAuditReasons(ctx, e.DB()); err != nil {
		t.Fatal(err)
	}
	rows, err := e.DB().QueryContext(ctx, `SELECT reason, category, message, coalesce(reported_as, ''),
       skips_webinar, redecided, coalesce(settled_by, '') FROM audit_reasons ORDER BY reason`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var have []schema.AuditReason
	for rows.Next() {
		var r schema.AuditReason
		if err := rows.Scan(&r.Reason, &r.Category, &r.Message, &r.ReportedAs, &r.SkipsWebinar, &r.Redecided, &r.SettledBy); err != nil {
			t.Fatal(err)
		}
		have = append(have, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := schema.AuditReasons()
	slices.SortFunc(want, func(a, b schema.AuditReason) int { return strings.Compare(a.Reason, b.Reason) })
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("audit_reasons (-want +got):\n%s", diff)
	}
}
