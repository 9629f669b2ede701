package load

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// benchContacts is the size of the contacts table of the load benchmarks.
// The simulator indexes contacts by email, so a first load costs the same
// per contact at any size (20,000 took 4.6 s); 5,000 keeps `make bench` short.
const benchContacts = 5_000

// newBenchDB opens a DuckDB file holding a contacts table of n rows, built
// in SQL (a Go insert per row would dominate the setup).
func newBenchDB(b testing.TB, n int) *sql.DB {
	b.Helper()
	db, err := sql.Open("duckdb", filepath.Join(b.TempDir(), "bench.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	_, err = db.ExecContext(b.Context(), `CREATE TABLE contacts AS
SELECT printf('person%06d@example.com', i) AS email,
       'First' || i AS firstname,
       CASE WHEN i % 5 = 0 THEN NULL ELSE 'Last' || (i % 977) END AS lastname,
       CASE WHEN i % 3 = 0 THEN NULL ELSE CAST((i % 10000) / 100.0 AS DOUBLE) END AS zoom_average_webinar_attendance_percent,
       'https://zoom.us/w/' || (80000000000 + i % 200) AS zoom_last_registered_webinar_url,
       CAST(1 + i % 4 AS BIGINT) AS zoom_total_webinar_registrations,
       CAST(i % 3 AS BIGINT) AS zoom_total_webinars_attended,
       CAST(i % 2 AS BIGINT) AS zoom_webinar_questions_asked,
       CAST(i % 5 AS BIGINT) AS zoom_webinar_polls_answered,
       CASE WHEN i % 3 = 0 THEN NULL ELSE '2024-06-' || lpad(CAST(1 + i % 28 AS VARCHAR), 2, '0') END AS zoom_last_webinar_attended_date
FROM range(?) t(i)`, n)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

func newBenchClient(hs *hubspottest.Server) *hubspot.Client {
	return hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"),
		hubspot.WithTier("unlimited"), hubspot.WithRetry(2, time.Millisecond, 10*time.Millisecond))
}

// BenchmarkContacts_create measures the first load of 5,000 contacts into
// an empty HubSpot simulator with rate limits off: reading the contacts
// through Arrow, hashing, 50 batch upserts of 100 over loopback HTTP and
// recording load_log and load_state in DuckDB. Against HubSpot, 190 requests
// per 10 s (Professional) bound the same load instead.
func BenchmarkContacts_create(b *testing.B) {
	db := newBenchDB(b, benchContacts)
	var sum *Summary
	for b.Loop() {
		b.StopTimer()
		hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
		if _, err := db.ExecContext(b.Context(), "DROP TABLE IF EXISTS load_state; DROP TABLE IF EXISTS load_log"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var err error
		sum, err = Contacts(b.Context(), Config{Client: newBenchClient(hs), DB: db, RunID: "bench"})
		b.StopTimer()
		hs.Close()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Created != benchContacts {
			b.Fatalf("created %d contacts, want %d: %+v", sum.Created, benchContacts, sum)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(benchContacts)*float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
	b.ReportMetric(float64(sum.Batches), "batches/op")
}

// BenchmarkContacts_unchanged measures the pass of a sync with nothing new:
// every contact's hash equals the acknowledged one, so nothing is sent.
func BenchmarkContacts_unchanged(b *testing.B) {
	db := newBenchDB(b, benchContacts)
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := newBenchClient(hs)
	if _, err := Contacts(b.Context(), Config{Client: client, DB: db, RunID: "first"}); err != nil {
		b.Fatal(err)
	}
	var writes int
	for b.Loop() {
		b.StopTimer()
		hs.ResetRequests()
		b.StartTimer()
		sum, err := Contacts(b.Context(), Config{Client: client, DB: db, RunID: "again"})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if sum.Unchanged != benchContacts {
			b.Fatalf("unchanged %d, want %d: %+v", sum.Unchanged, benchContacts, sum)
		}
		writes = 0
		for _, r := range hs.Requests() {
			if r.Write {
				writes++
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(benchContacts)*float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
	b.ReportMetric(float64(writes), "write_calls/op")
}

// quotaContacts is the contacts table of BenchmarkContacts_quota (issue 9
// target 2: 20,000 contacts).
const quotaContacts = 20_000

// BenchmarkContacts_quota measures a first load of 20,000 contacts at the
// Professional tier's burst limit (190 requests per 10 s, simulator and
// client alike), with 0 and 150 ms of latency (± 20 %): quota_ratio is
// the contacts per second ÷ 1,900 (target ≥ 0.9), lost_rows the contacts
// that did not end acknowledged (target 0, 429s included).
func BenchmarkContacts_quota(b *testing.B) {
	db := newBenchDB(b, quotaContacts)
	for _, lat := range []time.Duration{0, 150 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%v", lat), func(b *testing.B) {
			var perSecond float64
			var lost, calls429 int
			for b.Loop() {
				b.StopTimer()
				hs := hubspottest.NewServer(hubspottest.WithTier("professional"), hubspottest.WithLatency(lat, lat/5))
				if _, err := db.ExecContext(b.Context(), "DROP TABLE IF EXISTS load_state; DROP TABLE IF EXISTS load_log"); err != nil {
					b.Fatal(err)
				}
				client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("professional"))
				b.StartTimer()
				start := time.Now()
				sum, err := Contacts(b.Context(), Config{Client: client, DB: db, RunID: "bench"})
				perSecond = float64(quotaContacts) / time.Since(start).Seconds()
				b.StopTimer()
				calls429 = 0
				for _, r := range hs.Requests() {
					if r.Status == http.StatusTooManyRequests {
						calls429++
					}
				}
				hs.Close()
				if err != nil {
					b.Fatal(err)
				}
				lost = quotaContacts - sum.Created
				b.StartTimer()
			}
			b.ReportMetric(perSecond/1900, "quota_ratio")
			b.ReportMetric(perSecond, "contacts/s")
			b.ReportMetric(float64(lost), "lost_rows")
			b.ReportMetric(float64(calls429), "429s")
		})
	}
}
