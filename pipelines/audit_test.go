//go:build duckdb_arrow

package pipelines

import (
	"database/sql"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// auditLine is one grouped row of Audit.
type auditLine struct {
	runID, category, reason, email, detail string
	webinarID                              int64
	rows                                   int
}

// readAudit runs Audit over the lake of cfg.
func readAudit(t *testing.T, cfg *Config, f AuditFilter) []auditLine {
	t.Helper()
	e, err := transform.OpenReadOnly(t.Context(), lakeOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rows, err := Audit(t.Context(), e, f)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditLine
	for rows.Next() {
		var l auditLine
		var run, topic, email, detail sql.NullString
		var webinar sql.NullInt64
		if err := rows.Scan(&run, &webinar, &topic, &l.category, &l.reason, &email, &detail, &l.rows); err != nil {
			t.Fatal(err)
		}
		l.runID, l.webinarID, l.email, l.detail = run.String, webinar.Int64, email.String, detail.String
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAudit_loadRejectionsAreAuditRows: against the simulators, HubSpot
// rejects a contact, a timeline event and an attendance (207, one input
// each, with its message): each shows in the audit of the run under the
// category of the integration's audit log ("contact property not updated",
// "timeline event not created", "some attendees did not sync") with
// HubSpot's message, the webinar and the email where the row has them, next
// to the rows the transform left out. `zoomsync audit --run` shows the same rows; the next, fault-free
// run settles them and its audit has none.
func TestAudit_loadRejectionsAreAuditRows(t *testing.T) {
	acct := smallAccount()
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"),
		hubspottest.WithOAuthToken("demo-app-token"))
	defer hs.Close()
	// (A marketing event refused fails its whole batch, and its
	// participations wait for it: marketing_event_rejected is left to
	// TestAuditCategories_reachable.)
	for _, route := range []string{"/crm/v3/objects/contacts/batch/upsert", "/crm/v3/timeline/events/batch/create",
		"/marketing/v3/marketing-events/attendance/*/attend/create"} {
		hs.AddFault(hubspottest.Fault{Route: route, Kind: hubspottest.Fault207Partial, Rows: 1})
	}
	cfg := simConfig(t.TempDir(), zs, hs)
	cfg.CRM = &HubSpotSettings{Timeline: TimelineSettings{AppID: hubspottest.DefaultAppID}}
	cfg.HubSpot.DeveloperKey, cfg.HubSpot.AppToken = hubspottest.DefaultDeveloperKey, "demo-app-token"

	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if !errors.Is(err, ErrUnsettled) {
		t.Fatalf("sync with rejected rows: %v, want ErrUnsettled", err)
	}
	lines := readAudit(t, cfg, AuditFilter{})
	const injected = "injected failure of this input"
	want := map[string]string{
		schema.ReasonContactRejected:         schema.CategoryPropertyNotUpdated,
		schema.ReasonTimelineEventNotCreated: schema.CategoryTimelineNotCreated,
		schema.ReasonParticipationRejected:   schema.CategoryAttendeesNotSynced,
	}
	got := map[string]auditLine{}
	transformRows := 0
	// The event HubSpot refused is one audit row, not one per mechanism
	// (load_log and load_audit); the rejected contact's events are rows too,
	// with their own detail.
	refusedEvents := 0
	for _, l := range lines {
		if l.category == schema.CategoryTimelineNotCreated && strings.Contains(l.detail, injected) {
			refusedEvents += l.rows
		}
		if _, ok := want[l.reason]; ok {
			if prev, seen := got[l.reason]; !seen || !strings.Contains(prev.detail, injected) {
				got[l.reason] = l
			}
			continue
		}
		transformRows += l.rows
	}
	if refusedEvents != 1 {
		t.Errorf("the refused timeline event is %d audit rows, want 1", refusedEvents)
	}
	for reason, category := range want {
		l, ok := got[reason]
		switch {
		case !ok:
			t.Errorf("no audit row %s", reason)
			continue
		case l.category != category || l.runID != res.RunID || !strings.Contains(l.detail, injected) || l.rows != 1:
			t.Errorf("audit row %+v, want category %q, run %s, HubSpot's message, one row", l, category, res.RunID)
		}
		if reason != schema.ReasonContactRejected && l.webinarID == 0 {
			t.Errorf("%s: no webinar: %+v", reason, l)
		}
		if !strings.Contains(l.email, "@") {
			t.Errorf("%s: no email: %+v", reason, l)
		}
		t.Logf("%s: %+v", reason, l)
	}
	if transformRows == 0 {
		t.Error("the transform's audit rows are missing")
	}
	if byRun := readAudit(t, cfg, AuditFilter{RunID: res.RunID}); !slices.Equal(byRun, lines) {
		t.Errorf("audit --run %s differs from the latest audit:\n%v\n%v", res.RunID, byRun, lines)
	}

	res2, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("fault-free sync: %v", err)
	}
	for _, l := range readAudit(t, cfg, AuditFilter{}) {
		if _, ok := want[l.reason]; ok {
			t.Errorf("run %s settled the rejected rows, yet its audit has %+v", res2.RunID, l)
		}
	}
}

// TestAuditCategories_reachable: every category of the integration's audit
// log has a reason some part of zoomsync emits: the extractor (or its
// selector) as an issue, the transform's SQL, or the audit of the rows the
// CRM rejected at load time. The reason codes are read from the sources, so a
// category whose reasons nobody writes fails here.
func TestAuditCategories_reachable(t *testing.T) {
	t.Parallel()
	// The code of each Reason constant of package schema.
	codes := map[string]string{}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join("..", "schema", "reasons.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok && len(v.Names) == 1 && len(v.Values) == 1 && strings.HasPrefix(v.Names[0].Name, "Reason") {
			if lit, ok := v.Values[0].(*ast.BasicLit); ok {
				codes[v.Names[0].Name], _ = strconv.Unquote(lit.Value)
			}
		}
		return true
	})
	emitted := map[string]string{} // reason → who emits it
	// Go code outside schema that names schema.Reason... (the extractor,
	// the selector of pipelines); tests excluded.
	use := regexp.MustCompile(`schema\.(Reason[A-Za-z]+)`)
	for _, dir := range []string{"../extract", "../pipelines", "../load"} {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			file, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "schema" && use.MatchString("schema."+sel.Sel.Name) {
						if code, ok := codes[sel.Sel.Name]; ok {
							emitted[code] = path
						}
					}
				}
				return true
			})
			return nil
		})
	}
	// Reason codes the SQL writes as literals.
	sqlFiles, _ := fs.Glob(transform.SQL(), "*.sql")
	for _, name := range sqlFiles {
		data, _ := fs.ReadFile(transform.SQL(), name)
		for _, code := range codes {
			if strings.Contains(string(data), "'"+code+"'") {
				emitted[code] = name
			}
		}
	}
	for _, reason := range rejectedReasons {
		emitted[reason] = "pipelines.Audit (load_log)"
	}
	// An extract issue reported as another reason emits that one too.
	for _, r := range schema.AuditReasons() {
		if r.ReportedAs != "" && emitted[r.Reason] != "" {
			emitted[r.ReportedAs] = emitted[r.Reason]
		}
	}
	for _, c := range schema.AuditCategories() {
		var by []string
		for _, r := range schema.AuditReasons() {
			if r.Category == c && emitted[r.Reason] != "" {
				by = append(by, r.Reason+" ("+emitted[r.Reason]+")")
			}
		}
		if len(by) == 0 {
			t.Errorf("category %q: no reason of it is emitted anywhere", c)
		}
		t.Logf("%s: %s", c, strings.Join(by, ", "))
	}
}
