package load

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// newTestDB opens a DuckDB file with a contacts table of n rows; the row
// numbered bad (if any) has an email HubSpot refuses.
func newTestDB(t *testing.T, n int, bad map[int]bool) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.ExecContext(t.Context(), `CREATE TABLE contacts (email VARCHAR, firstname VARCHAR, lastname VARCHAR,
		zoom_average_webinar_attendance_percent DOUBLE, zoom_last_registered_webinar_url VARCHAR,
		zoom_total_webinar_registrations BIGINT, zoom_total_webinars_attended BIGINT)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		email := fmt.Sprintf("person%03d@example.com", i)
		if bad[i] {
			email = fmt.Sprintf("person%03d@example.con", i)
		}
		var avg any
		if i%3 != 0 {
			avg = float64(i%100) + 0.25
		}
		if _, err := db.ExecContext(t.Context(), `INSERT INTO contacts VALUES (?, ?, NULL, ?, ?, ?, ?)`,
			email, fmt.Sprintf("First%d", i), avg, "https://zoom.us/w/1", 1+i%4, i%3); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestContacts_batchesOutcomesAndOnlyChanged(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithRetry(2, time.Millisecond, 10*time.Millisecond))
	db := newTestDB(t, 250, map[int]bool{7: true, 130: true})
	cfg := Config{Client: client, DB: db, RunID: "run-1"}

	sum, err := Contacts(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 248 || sum.Failed != 2 || sum.Batches != 3 {
		t.Fatalf("first load: %+v; want 248 created, 2 failed, 3 batches", sum)
	}
	if got := len(hs.Contacts()); got != 248 {
		t.Fatalf("HubSpot holds %d contacts, want 248", got)
	}
	c, ok := hs.Contact("person004@example.com")
	if !ok || c.Properties["zoom_average_webinar_attendance_percent"] != "4.25" || c.Properties["zoom_total_webinars_attended"] != "1" ||
		c.Properties["firstname"] != "First4" {
		t.Fatalf("person004 = %+v, %v", c.Properties, ok)
	}
	// Every row sent has a load_log row; failed rows are not acknowledged.
	var logged, failed, state int
	db.QueryRow(`SELECT count(*), count(*) FILTER (outcome = 'failed') FROM load_log WHERE run_id = 'run-1'`).Scan(&logged, &failed)
	db.QueryRow(`SELECT count(*) FROM load_state`).Scan(&state)
	if logged != 250 || failed != 2 || state != 248 {
		t.Fatalf("load_log %d rows (%d failed), load_state %d; want 250 (2), 248", logged, failed, state)
	}

	// Second load: only the failed rows and one changed row are sent.
	db.Exec(`UPDATE contacts SET zoom_total_webinars_attended = 9 WHERE email = 'person010@example.com'`)
	hs.ResetRequests()
	cfg.RunID = "run-2"
	sum, err = Contacts(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated != 1 || sum.Failed != 2 || sum.Unchanged != 247 || sum.Batches != 1 {
		t.Fatalf("second load: %+v; want 1 updated, 2 failed, 247 unchanged in 1 batch", sum)
	}
	c, _ = hs.Contact("person010@example.com")
	if c.Properties["zoom_total_webinars_attended"] != "9" {
		t.Fatalf("person010 attended = %q, want 9", c.Properties["zoom_total_webinars_attended"])
	}
	writes := 0
	for _, r := range hs.Requests() {
		if r.Write {
			writes++
			if r.Inputs != 3 {
				t.Errorf("second load sent %d inputs in %s, want 3", r.Inputs, r.Path)
			}
		}
	}
	if writes != 1 {
		t.Fatalf("second load made %d write calls, want 1", writes)
	}
}

func TestContacts_dryRunSendsNothing(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"))
	db := newTestDB(t, 120, nil)
	sum, err := Contacts(t.Context(), Config{Client: client, DB: db, RunID: "dry", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 120 || sum.Batches != 2 {
		t.Fatalf("dry run: %+v; want 120 to create in 2 batches", sum)
	}
	if n := len(hs.Requests()); n != 0 {
		t.Fatalf("dry run made %d requests, want 0", n)
	}
}
