//go:build duckdb_arrow

package pipelines

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/transform"
)

// personRows counts, over every Parquet file under dir, the rows whose
// email, user_email or primary_email is email (lower-cased, trimmed).
func personRows(t *testing.T, dir, email string) int {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var total int
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		cond, err := forgottenConditionFor(t, db, p, email)
		if cond == "" || err != nil {
			return err
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM read_parquet(" + transform.QuoteString(p) + ") WHERE " + cond).Scan(&n); err != nil {
			return err
		}
		total += n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func forgottenConditionFor(t *testing.T, db *sql.DB, path, email string) (string, error) {
	rows, err := db.Query("SELECT name FROM parquet_schema(" + transform.QuoteString(path) + ")")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var conds []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		if slices.Contains(personColumns, name) {
			conds = append(conds, "lower(trim("+name+")) = "+transform.QuoteString(email))
		}
	}
	return strings.Join(conds, " OR "), rows.Err()
}

// TestForget_erasesAPersonAndDropsTheirRowsOnArrival syncs the demo
// account, forgets its most engaged attendee, and checks that no Parquet
// file of the lake names them, that forgetting again removes nothing, that
// a full re-extraction (every cursor cleared) brings none of their rows
// back, and that every other contact's properties are as before.
func TestForget_erasesAPersonAndDropsTheirRowsOnArrival(t *testing.T) {
	zs := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"))
	defer hs.Close()
	cfg := &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
	}
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	contacts := func() map[string]string {
		e := transformed(t, cfg.DataDir)
		defer e.Close()
		rows, err := e.DB().QueryContext(t.Context(), `SELECT email, CAST(contacts AS VARCHAR) FROM contacts ORDER BY email`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			m[k] = v
		}
		return m
	}
	before := contacts()
	const who = "evelyn.lopez@waynefintech.co.uk" // 8 instances attended, 4 registrations (the demo's top attendee)
	if _, ok := before[who]; !ok || personRows(t, cfg.DataDir, who) == 0 {
		t.Fatalf("%s is not in the synced lake: the test's premise is wrong", who)
	}

	rep, err := Forget(t.Context(), cfg, []string{"  Evelyn.Lopez@WayneFintech.co.uk "})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("forget: %d rows from %d files, %d catalog rows", rep.Rows, len(rep.Files), rep.Catalog)
	if rep.Rows == 0 || rep.Catalog == 0 {
		t.Fatalf("forget removed %d rows and %d catalog rows, want some of each", rep.Rows, rep.Catalog)
	}
	if n := personRows(t, cfg.DataDir, who); n != 0 {
		t.Fatalf("%d rows still name %s after forget", n, who)
	}
	if again, err := Forget(t.Context(), cfg, []string{who}); err != nil || again.Rows != 0 {
		t.Fatalf("a second forget removed %+v (%v), want nothing", again, err)
	}

	// Every cursor cleared: the next extraction fetches the whole account
	// again, and the person's rows are dropped as they arrive.
	db, err := sql.Open("duckdb", filepath.Join(cfg.DataDir, "zoomsync.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM sync_state`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Extract(t.Context(), cfg, Hooks{}, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := personRows(t, cfg.DataDir, who); n != 0 {
		t.Fatalf("%d rows of %s came back with a full re-extraction", n, who)
	}
	after := contacts()
	if _, ok := after[who]; ok {
		t.Fatalf("%s is a contact again after the transform", who)
	}
	delete(before, who)
	if len(after) != len(before) {
		t.Fatalf("%d contacts after, %d before (less the forgotten one)", len(after), len(before))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("contact %s changed: %s → %s", k, v, after[k])
		}
	}
}
