package transform

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
)

// caseOptions reads testdata/<case>/options.json, when present: the
// excluded contact domains of zoomsync.yaml and the load_state rows the
// loader would have written. It returns the engine options and a setup that
// writes the load state into the opened catalog.
//
//	{"excluded_contact_domains": ["acme.com"],
//	 "load_state": [{"key": "kim@example.com", "crm_id": "601", "acknowledged_at": "2024-06-01T12:00:00Z"}]}
func caseOptions(t *testing.T, dir string) ([]Option, func(*Engine)) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "options.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, func(*Engine) {}
	}
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		ExcludedContactDomains []string `json:"excluded_contact_domains"`
		LoadState              []struct {
			Key            string    `json:"key"`
			CRMID          string    `json:"crm_id"`
			AcknowledgedAt time.Time `json:"acknowledged_at"`
		} `json:"load_state"`
	}
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatalf("%s/options.json: %v", dir, err)
	}
	setup := func(e *Engine) {
		if len(o.LoadState) == 0 {
			return
		}
		writeLoadState(t, e)
		for _, s := range o.LoadState {
			if _, err := e.DB().Exec("INSERT INTO load_state VALUES ('contact', ?, ?, 'h', 'r0', ?)",
				s.Key, s.CRMID, s.AcknowledgedAt.UTC()); err != nil {
				t.Fatal(err)
			}
		}
	}
	return []Option{WithExcludedContactDomains(o.ExcludedContactDomains)}, setup
}

// openCase opens an engine on a lake holding testdata/<name>/raw, with the
// case's options (caseOptions) and opts, and its rule tables filled; the
// engine closes when the test ends.
func openCase(t *testing.T, name string, opts ...Option) (*Engine, schema.Lake) {
	t.Helper()
	dir := filepath.Join("testdata", name)
	lake := schema.Lake{Dir: t.TempDir()}
	writeRawFixtures(t, lake, filepath.Join(dir, "raw"))
	caseOpts, setup := caseOptions(t, dir)
	e, err := Open(context.Background(), lake, append(caseOpts, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	setup(e)
	return e, lake
}

// writeLoadState creates the loader's load_state table as load.EnsureState
// does (the transform only reads it).
func writeLoadState(t *testing.T, e *Engine) {
	t.Helper()
	if _, err := e.DB().Exec(`CREATE TABLE IF NOT EXISTS load_state (
	object_type VARCHAR NOT NULL, key VARCHAR NOT NULL, crm_id VARCHAR, hash VARCHAR NOT NULL,
	run_id VARCHAR NOT NULL, acknowledged_at TIMESTAMP NOT NULL, PRIMARY KEY (object_type, key))`); err != nil {
		t.Fatal(err)
	}
}

func TestWithExcludedContactDomains_normalises(t *testing.T) {
	t.Parallel()
	e := &Engine{}
	WithExcludedContactDomains([]string{" ACME.com", "@partner.io", ".acme.com", "", "  "})(e)
	if diff := cmp.Diff([]string{"acme.com", "partner.io"}, e.excludedDomains); diff != "" {
		t.Errorf("excluded domains (-want +got):\n%s", diff)
	}
}

// TestEngine_Run_eligiblePersons checks the documented view on the golden
// cases of the rules: who is eligible, with which contact id.
func TestEngine_Run_eligiblePersons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		haveCase string
		want     map[string]string // person -> contact id ("" when unknown)
	}{
		{"rules-secondary-emails", map[string]string{
			"al@example.com": "501", "bea@example.com": "502", "cat@example.com": "", "dan@example.com": "504"}},
		{"rules-deleted-contacts", map[string]string{
			"ned@example.com": "603", "oli@example.com": "604", "pat@example.org": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.haveCase, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e, _ := openCase(t, tt.haveCase)
			if _, err := e.Run(ctx, goldenRunID); err != nil {
				t.Fatal(err)
			}
			rows, err := e.DB().QueryContext(ctx, "SELECT person, coalesce(contact_id, '') FROM eligible_persons")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			have := map[string]string{}
			for rows.Next() {
				var p, id string
				if err := rows.Scan(&p, &id); err != nil {
					t.Fatal(err)
				}
				have[p] = id
			}
			if diff := cmp.Diff(tt.want, have); diff != "" {
				t.Errorf("eligible_persons (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRun_beforeRules: the snapshot of a Run sees the candidate emails (no
// excluded domain, no CRM user; known and cached as the ledger and the last
// snapshot say), once, and what it writes to the lake is what the rules of
// the same Run read: oli, live at the last snapshot, is found archived now
// and becomes contact_deleted.
func TestRun_beforeRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, lake := openCase(t, "rules-deleted-contacts", WithExcludedContactDomains([]string{"example.org"}))
	calls := 0
	var have []Candidate
	res, err := e.Run(ctx, "run-2", BeforeRules(func(ctx context.Context, candidates func(context.Context) ([]Candidate, error)) error {
		calls++
		var err error
		if have, err = candidates(ctx); err != nil {
			return err
		}
		w := lakefile.NewPartWriter[schema.CRMContactSeen](lake, schema.StreamCRMContactsSeen, "run-2")
		if err := w.Write([]schema.CRMContactSeen{{RunID: "run-2", FetchedAt: time.Now().UTC(), Email: "oli@example.com",
			State: schema.CRMContactArchived, ContactID: "604", PrimaryEmail: "oli@example.com"}}); err != nil {
			return err
		}
		_, err = w.Close()
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("the snapshot was called %d times, want once", calls)
	}
	want := []Candidate{
		{Email: "kim@example.com", Known: true},
		{Email: "lee@example.com", Known: true},
		{Email: "max@example.com"},
		{Email: "ned@example.com", Known: true},
		{Email: "oli@example.com", Known: true, Cached: true},
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("candidates (-want +got):\n%s", diff)
	}
	if res.AuditByReason["contact_deleted"] == 0 {
		t.Errorf("audit reasons %v, want contact_deleted rows", res.AuditByReason)
	}
	var reason string
	if err := e.DB().QueryRow("SELECT reason FROM audit WHERE email = 'oli@example.com' LIMIT 1").Scan(&reason); err != nil || reason != "contact_deleted" {
		t.Errorf("oli: audit reason %q (%v), want contact_deleted from the snapshot written during the run", reason, err)
	}
	var emails []string
	rows, err := e.DB().Query("SELECT email FROM contacts ORDER BY email")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		emails = append(emails, s)
	}
	if diff := cmp.Diff([]string{"ned@example.com"}, emails); diff != "" {
		t.Errorf("out/contacts (-want +got):\n%s", diff)
	}
}

// TestRun_beforeRulesAfterTheRulesFile checks that the snapshot is called
// right after the file that writes candidate_persons (065_rules.sql), also
// on a second Run, whose catalog already holds the view from the first:
// then it was called after the first file, before anything of the run was
// materialized, through the previous run's views.
func TestRun_beforeRulesAfterTheRulesFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, _ := openCase(t, "rules-deleted-contacts")
	var current string // the file running
	e.beforeFile = func(_ context.Context, _ execQuerier, name, _ string) error {
		current = name
		return nil
	}
	for _, run := range []string{"run-1", "run-2"} {
		var at []string
		_, err := e.Run(ctx, run, BeforeRules(func(ctx context.Context, candidates func(context.Context) ([]Candidate, error)) error {
			at = append(at, current)
			_, err := candidates(ctx)
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"065_rules.sql"}, at); diff != "" {
			t.Errorf("%s: the snapshot ran after (-want +got):\n%s", run, diff)
		}
	}
}
