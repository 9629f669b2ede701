//go:build duckdb_arrow

package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// crashSimEnv points the commands at a small Zoom account and a HubSpot simulator.
func crashSimEnv(t *testing.T) (*zoomtest.Server, *hubspottest.Server) {
	t.Helper()
	zs := zoomtest.NewServer(crashAccount(), zoomtest.WithPlan("unlimited"))
	t.Cleanup(zs.Close)
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	t.Cleanup(hs.Close)
	for k, v := range map[string]string{
		"ZOOM_API_URL": zs.APIURL(), "ZOOM_OAUTH_URL": zs.OAuthURL(), "ZOOM_ACCOUNT_ID": "demo-account",
		"ZOOM_CLIENT_ID": "demo-client", "ZOOM_CLIENT_SECRET": "demo-secret", "ZOOM_PLAN": "unlimited",
		"HUBSPOT_API_URL": hs.URL, "HUBSPOT_TOKEN": "demo-token", "HUBSPOT_TIER": "unlimited",
	} {
		t.Setenv(k, v)
	}
	return zs, hs
}

// TestSync_dryRunDiff: a dry run says DRY RUN on every summary line,
// sends nothing, is recorded with dry_run, and --diff writes each object
// it would create; after a real sync, a contact changed in the CRM shows
// as updated with the CRM's old value and the value it would send.
func TestSync_dryRunDiff(t *testing.T) {
	_, hs := crashSimEnv(t)
	dir := t.TempDir()
	diffCSV := filepath.Join(t.TempDir(), "diff.csv")
	out, err := run(t, "--data-dir", dir, "sync", "--dry-run", "--diff", diffCSV)
	if err != nil {
		t.Fatalf("sync --dry-run: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if !strings.HasPrefix(strings.TrimLeft(line, " "), "DRY RUN ") {
			t.Errorf("summary line without DRY RUN: %q", line)
		}
	}
	if !strings.Contains(out, "DRY RUN load: ") {
		t.Errorf("no load line in:\n%s", out)
	}
	for _, r := range hs.Requests() {
		if r.Write {
			t.Errorf("a dry run wrote to HubSpot: %s %s", r.Method, r.Path)
		}
	}
	runs, err := run(t, "--data-dir", dir, "query", "--format", "csv", "SELECT kind, dry_run FROM runs")
	if err != nil || runs != "kind,dry_run\nsync,true\n" {
		t.Errorf("runs table: %q, %v; want one sync with dry_run true", runs, err)
	}
	contacts, _ := run(t, "--data-dir", dir, "query", "--format", "csv", "SELECT count(*) FROM contacts")
	rows := readCSV(t, diffCSV)
	if strings.Join(rows[0], ",") != "object_type,key,action,field,old,new,reason" {
		t.Fatalf("diff header %v", rows[0])
	}
	created, skipped := map[string]bool{}, 0
	for _, r := range rows[1:] {
		switch {
		case r[0] == "contact" && r[2] == "created" && r[3] == "properties.email" && r[5] == r[1]:
			created[r[1]] = true
		case r[2] == "skipped":
			skipped++
			if r[6] == "" {
				t.Errorf("skipped row without a reason: %v", r)
			}
		case r[2] == "updated":
			t.Errorf("a first dry run would update %v", r)
		}
	}
	if want := strings.TrimSpace(strings.Split(contacts, "\n")[1]); want == "0" || len(created) != atoi(want) {
		t.Errorf("diff creates %d contacts, the contacts view has %s", len(created), want)
	}
	t.Logf("first dry run: %d contacts created, %d objects skipped", len(created), skipped)

	if out, err := run(t, "--data-dir", dir, "sync"); err != nil || strings.Contains(out, "DRY RUN") {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	// One contact changed in the CRM, and load_state made to differ: the
	// next dry run updates it.
	var email string
	for e := range created {
		email = e
		break
	}
	hs.SeedContact(email, map[string]string{"zoom_total_webinars_attended": "999"})
	db, err := sql.Open("duckdb", filepath.Join(dir, "zoomsync.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE load_state SET hash = 'changed' WHERE object_type = 'contact' AND key = ?`, email); err != nil {
		t.Fatal(err)
	}
	db.Close()
	diffJSON := filepath.Join(t.TempDir(), "diff.json")
	if out, err := run(t, "--data-dir", dir, "sync", "--dry-run", "--diff", diffJSON); err != nil {
		t.Fatalf("second dry run: %v\n%s", err, out)
	}
	data, err := os.ReadFile(diffJSON)
	if err != nil {
		t.Fatal(err)
	}
	var updates []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("diff line %q: %v", line, err)
		}
		if m["action"] == "updated" {
			updates = append(updates, m)
		}
	}
	if len(updates) != 1 || updates[0]["key"] != email || updates[0]["field"] != "properties.zoom_total_webinars_attended" ||
		updates[0]["old"] != "999" || updates[0]["new"] == "999" {
		t.Errorf("updates %v, want one: %s zoom_total_webinars_attended 999 → its value", updates, email)
	}
	if _, err := run(t, "--data-dir", dir, "sync", "--diff", diffJSON); err == nil || exitCode(err) != 2 {
		t.Errorf("--diff without --dry-run: %v, want a usage error", err)
	}
}
