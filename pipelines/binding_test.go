//go:build duckdb_arrow

package pipelines

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// smallAccount is a generated account with every special case and few
// people, so that the tests of this file, which sync it several times,
// stay quick.
func smallAccount() *zoomtest.Account {
	return zoomtest.Generate(zoomtest.GenConfig{Seed: 1, Webinars: 10, People: 150})
}

// simConfig is a configuration against the simulators, in dir.
func simConfig(dir string, zs *zoomtest.Server, hs *hubspottest.Server) *Config {
	return &Config{
		DataDir: dir,
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
	}
}

// simEnv starts both simulators, without rate limits, on acct and an
// empty portal, closed when the test ends, and returns a configuration
// against them in a temporary directory.
func simEnv(t *testing.T, acct *zoomtest.Account) (*Config, *zoomtest.Server, *hubspottest.Server) {
	t.Helper()
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	t.Cleanup(zs.Close)
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	t.Cleanup(hs.Close)
	return simConfig(t.TempDir(), zs, hs), zs, hs
}

// crmState is what a portal holds of zoomsync's, in a form two portals can
// be compared by: ids of the CRM are replaced by emails and unique keys.
type crmState struct {
	Contacts   map[string]string // email → the properties zoomsync writes
	Events     map[string]string // external event id → event and its participations
	Calls      map[string]string // zoomsync_call_id → call and its attendees
	Properties map[string]string // object type → the zoomsync properties defined
	// Doubled names the calls of a recording that exist more than once.
	Doubled []string
}

func stateOf(hs *hubspottest.Server) crmState {
	st := crmState{Contacts: map[string]string{}, Events: map[string]string{}, Calls: map[string]string{}, Properties: map[string]string{}}
	emailOf := func(id string) string {
		c, _ := hs.ContactByID(id)
		return c.Email
	}
	for _, c := range hs.Contacts() {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(c.Properties)) {
			if k == "email" || k == "firstname" || k == "lastname" || strings.HasPrefix(k, "zoom_") {
				kv = append(kv, k+"="+c.Properties[k])
			}
		}
		st.Contacts[c.Email] = strings.Join(kv, "|")
	}
	for _, e := range hs.MarketingEvents() {
		var parts []string
		for _, p := range hs.Participations(e.ExternalEventID) {
			parts = append(parts, fmt.Sprintf("%s/%s/%s/%v", emailOf(p.ContactID), p.State, p.OccurredAt.UTC(), p.Properties))
		}
		slices.Sort(parts)
		st.Events[e.ExternalEventID] = fmt.Sprintf("%s|%s|%s|%s|%v|%v|%v|%s", e.ExternalAccountID, e.Name, e.Start.UTC(), e.End.UTC(),
			e.Cancelled, e.Completed, e.CustomProperties, strings.Join(parts, ","))
	}
	for _, c := range hs.Calls() {
		key := c.Properties[hubspot.CallIDProperty]
		if _, ok := st.Calls[key]; ok {
			st.Doubled = append(st.Doubled, key)
		}
		var who []string
		for _, id := range c.ContactIDs {
			who = append(who, emailOf(id))
		}
		slices.Sort(who)
		body := sha256.Sum256([]byte(c.Properties["hs_call_body"]))
		st.Calls[key] = fmt.Sprintf("%s|%s|%s|%s|%s", c.Properties["hs_call_title"], c.Properties["hs_timestamp"],
			c.Properties["hs_call_duration"], hex.EncodeToString(body[:8]), strings.Join(who, ","))
	}
	for _, t := range []string{"contacts", "calls"} {
		var names []string
		for _, p := range hs.Properties(t) {
			if strings.HasPrefix(p.Name, "zoom") {
				names = append(names, p.Name)
			}
		}
		slices.Sort(names)
		st.Properties[t] = strings.Join(names, ",")
	}
	return st
}

// diff lists the differences of two portals' states (none: equal).
func (st crmState) diff(want crmState) []string {
	var out []string
	cmp := func(what string, got, want map[string]string) {
		for k, w := range want {
			if g, ok := got[k]; !ok {
				out = append(out, fmt.Sprintf("%s %s missing", what, k))
			} else if g != w {
				out = append(out, fmt.Sprintf("%s %s = %q, want %q", what, k, g, w))
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				out = append(out, fmt.Sprintf("%s %s not expected", what, k))
			}
		}
	}
	cmp("contact", st.Contacts, want.Contacts)
	cmp("marketing event", st.Events, want.Events)
	cmp("call", st.Calls, want.Calls)
	cmp("properties of", st.Properties, want.Properties)
	for _, k := range st.Doubled {
		out = append(out, "call "+k+" exists twice")
	}
	return out
}

// writes lists the write requests a simulator received.
func writes(hs *hubspottest.Server) []string {
	var out []string
	for _, r := range hs.Requests() {
		if r.Write {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// reference syncs the demo account once into a fault-free portal and
// returns its state.
func reference(t *testing.T, acct *zoomtest.Account) crmState {
	t.Helper()
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	if _, err := Sync(t.Context(), simConfig(t.TempDir(), zs, hs), SyncOptions{}); err != nil {
		t.Fatalf("fault-free sync: %v", err)
	}
	st := stateOf(hs)
	if len(st.Contacts) == 0 || len(st.Events) == 0 || len(st.Calls) == 0 {
		t.Fatalf("fault-free sync: %d contacts, %d marketing events, %d calls", len(st.Contacts), len(st.Events), len(st.Calls))
	}
	return st
}

// syncUntilDone syncs until a run succeeds (at most max runs) and returns
// how many runs it took.
func syncUntilDone(t *testing.T, cfg *Config, max int) int {
	t.Helper()
	for n := 1; n <= max; n++ {
		res, err := Sync(t.Context(), cfg, SyncOptions{})
		if err == nil {
			return n
		}
		t.Logf("run %d: %s: %v", n, res.Status, err)
	}
	t.Fatalf("no successful sync in %d runs", max)
	return 0
}

// TestSync_lostAnswersAndLostCatalog_noDuplicates: calls writes whose
// answer is lost after HubSpot committed them (connection reset, 504),
// then re-runs, then a deleted catalog and one more sync: exactly one call
// per recording, and no marketing event or contact twice.
func TestSync_lostAnswersAndLostCatalog_noDuplicates(t *testing.T) {
	acct := smallAccount()
	want := reference(t, acct)
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	faults, err := hubspottest.ParseFaults("reset-after-commit:route=/crm/v3/objects/calls/batch/upsert," +
		"504-after-commit:route=/crm/v3/objects/calls/batch/upsert:after=1")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		hs.AddFault(f)
	}
	cfg := simConfig(t.TempDir(), zs, hs)
	runs := syncUntilDone(t, cfg, 4)
	upserts := 0
	for _, r := range hs.Requests() {
		if r.Path == "/crm/v3/objects/calls/batch/upsert" {
			upserts++
		}
	}
	if upserts < 2 { // one batch of calls, its answer lost at least once
		t.Errorf("%d calls upserts: the lost answer was not resent", upserts)
	}
	if d := stateOf(hs).diff(want); len(d) > 0 {
		t.Errorf("after %d runs with lost calls answers, the portal differs from a fault-free run:\n%s", runs, strings.Join(d, "\n"))
	}
	t.Logf("lost calls answers: %d runs to exit 0, %d calls upserts; %d calls for %d recordings", runs, upserts, len(hs.Calls()), len(want.Calls))

	if err := os.Remove(lakeOf(cfg).DB()); err != nil {
		t.Fatal(err)
	}
	before := len(hs.Calls())
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("sync after the catalog was deleted: %v", err)
	}
	if d := stateOf(hs).diff(want); len(d) > 0 {
		t.Errorf("after a lost catalog, the portal differs from a fault-free run:\n%s", strings.Join(d, "\n"))
	}
	if n := len(hs.Calls()); n != before {
		t.Errorf("%d call objects after the catalog was lost, %d before", n, before)
	}
	t.Logf("lost catalog: %d contacts, %d marketing events, %d calls before and after", len(want.Contacts), len(want.Events), len(hs.Calls()))
}

// TestSync_boundToItsPortal syncs to portal A, then points the lake at an
// empty portal B: refused, nothing written to B; with --rebind B ends
// with what A holds. A lake bound to a Zoom account refuses another.
func TestSync_boundToItsPortal(t *testing.T) {
	acct := smallAccount()
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	a := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithPortalID(111))
	defer a.Close()
	b := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithPortalID(222))
	defer b.Close()
	dir := t.TempDir()
	if _, err := Sync(t.Context(), simConfig(dir, zs, a), SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	// A second sync to A, so that the lake holds A's CRM snapshot of live
	// contacts (with A's ids) that B must not inherit.
	if _, err := Sync(t.Context(), simConfig(dir, zs, a), SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	want := stateOf(a)

	cfgB := simConfig(dir, zs, b)
	for _, run := range []struct {
		name string
		do   func() (*RunResult, error)
	}{
		{"sync", func() (*RunResult, error) { return Sync(t.Context(), cfgB, SyncOptions{}) }},
		{"sync --dry-run --rebind", func() (*RunResult, error) {
			return Sync(t.Context(), cfgB, SyncOptions{DryRun: true, Rebind: true})
		}},
		{"load", func() (*RunResult, error) { return Load(t.Context(), cfgB, SyncOptions{}) }},
	} {
		res, err := run.do()
		var be *BindingError
		if !errors.As(err, &be) || !errors.Is(err, ErrOtherAccount) || be.Bound != "111" || be.Configured != "222" {
			t.Fatalf("%s against portal 222 of a lake bound to 111: err = %v", run.name, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "111") || !strings.Contains(msg, "222") || !strings.Contains(msg, "--rebind") {
			t.Errorf("%s: message %q does not name both portals and the fix", run.name, msg)
		}
		if res == nil || res.Status != StatusFailed || res.Extract != nil {
			t.Errorf("%s: refused run = %+v, want failed before the extract", run.name, res)
		}
	}
	if w := writes(b); len(w) != 0 || len(b.Contacts()) != 0 {
		t.Fatalf("refused runs wrote to portal B: %v (%d contacts)", w, len(b.Contacts()))
	}
	t.Logf("refused: %d requests to B, none a write", len(b.Requests()))

	zoomB := simConfig(dir, zs, a)
	zoomB.Zoom.AccountID = "another-account"
	if _, err := Extract(t.Context(), zoomB, Hooks{}, ExtractOptions{}); !errors.Is(err, ErrOtherAccount) ||
		!strings.Contains(err.Error(), "demo-account") || !strings.Contains(err.Error(), "another-account") {
		t.Errorf("extract with another ZOOM_ACCOUNT_ID: err = %v", err)
	}
	if _, err := Sync(t.Context(), zoomB, SyncOptions{}); !errors.Is(err, ErrOtherAccount) {
		t.Errorf("sync with another ZOOM_ACCOUNT_ID: err = %v", err)
	}

	res, err := Sync(t.Context(), cfgB, SyncOptions{Rebind: true})
	if err != nil {
		t.Fatalf("sync --rebind: %v", err)
	}
	if len(res.Rebound) != 1 || res.Rebound[0].From != "111" || res.Rebound[0].To != "222" || res.Rebound[0].StateReset == 0 {
		t.Errorf("rebound = %+v", res.Rebound)
	}
	if d := stateOf(b).diff(want); len(d) > 0 {
		t.Errorf("portal B after --rebind differs from portal A:\n%s", strings.Join(d, "\n"))
	}
	t.Logf("rebind: %d load state rows reset; B holds %d contacts, %d marketing events, %d calls like A",
		res.Rebound[0].StateReset, len(want.Contacts), len(want.Events), len(want.Calls))
	// Bound to B now: a sync goes through and sends nothing new, and A is refused.
	b.ResetRequests()
	if _, err := Sync(t.Context(), cfgB, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if w := writes(b); len(w) != 0 {
		t.Errorf("second sync to B wrote %v", w)
	}
	if _, err := Sync(t.Context(), simConfig(dir, zs, a), SyncOptions{}); !errors.Is(err, ErrOtherAccount) {
		t.Errorf("sync to A after the rebind to B: err = %v", err)
	}
}

// TestSync_unsettledRowsMakeRunPartial: writes applied whose answer was cut
// off (truncated after commit) leave rows unknown: the run is partial and
// names them; the next run, fault-free, sends them again and ends with the
// state of a fault-free run.
func TestSync_unsettledRowsMakeRunPartial(t *testing.T) {
	acct := smallAccount()
	want := reference(t, acct)
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	faults, err := hubspottest.ParseFaults("truncated-after-commit:route=/crm/v3/objects/contacts/batch/upsert:after=1," +
		"truncated-after-commit:route=/crm/v3/objects/calls/batch/upsert," +
		"truncated-after-commit:route=/marketing/v3/marketing-events/events/upsert," +
		"reset-after-commit:route=/marketing/v3/marketing-events/attendance/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		hs.AddFault(f)
	}
	cfg := simConfig(t.TempDir(), zs, hs)
	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if !errors.Is(err, ErrUnsettled) || res.Status != StatusPartial {
		t.Fatalf("run with cut-off answers: status %s, err %v; want partial, ErrUnsettled", res.Status, err)
	}
	for _, name := range []string{"contact ", "call ", "marketing_event "} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("partial run's error does not name the %srows: %v", name, err)
		}
	}
	if res.Load.Unknown == 0 || res.Activity.Calls.Unknown == 0 || res.Activity.MarketingEvents.Unknown == 0 {
		t.Errorf("unknown: contacts %d, calls %d, marketing events %d; want each > 0",
			res.Load.Unknown, res.Activity.Calls.Unknown, res.Activity.MarketingEvents.Unknown)
	}
	status, err := runStatus(t, cfg, res.RunID)
	if err != nil || status != StatusPartial {
		t.Errorf("runs table: status %q (%v), want partial", status, err)
	}
	t.Logf("first run: partial, %d contacts, %d calls, %d marketing events unknown; %v",
		res.Load.Unknown, res.Activity.Calls.Unknown, res.Activity.MarketingEvents.Unknown, res.Err)

	res2, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil || res2.Status != StatusSucceeded {
		t.Fatalf("second run: %s, %v", res2.Status, err)
	}
	if d := stateOf(hs).diff(want); len(d) > 0 {
		t.Errorf("after a partial run and a fault-free one, the portal differs from a fault-free run:\n%s", strings.Join(d, "\n"))
	}
	t.Logf("second run: succeeded; contacts %d created %d updated, calls %+v, marketing events %+v",
		res2.Load.Created, res2.Load.Updated, res2.Activity.Calls, res2.Activity.MarketingEvents)
}

// runStatus reads a run's status from the runs table.
func runStatus(t *testing.T, cfg *Config, runID string) (string, error) {
	t.Helper()
	cat := &catalog{ctx: t.Context(), lake: lakeOf(cfg), cfg: cfg}
	e, err := cat.Engine()
	if err != nil {
		return "", err
	}
	defer e.Close()
	var s string
	err = e.DB().QueryRowContext(t.Context(), `SELECT status FROM runs WHERE run_id = ?`, runID).Scan(&s)
	return s, err
}
