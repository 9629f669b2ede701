package load

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parquet-go/parquet-go"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
)

func readRaw[T any](t *testing.T, lake schema.Lake, stream string) []T {
	t.Helper()
	files, err := filepath.Glob(lake.RawGlob(stream))
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	for _, f := range files {
		rows, err := parquet.ReadFile[T](f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
	}
	return out
}

// TestCRMSnapshot_readsOnlyWhatMatters: users are listed; the emails the
// loader never wrote are read live and, those no live contact has, among
// the archived contacts (a contact about to be created that someone deleted
// is found there); cached and known ones are not read (RecheckContacts
// reads them when the load is about to upsert them); both streams land as
// raw Parquet parts.
func TestCRMSnapshot_readsOnlyWhatMatters(t *testing.T) {
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	client := hubspot.NewClient(hubspot.WithBaseURL(hs.URL), hubspot.WithToken("demo-token"), hubspot.WithTier("unlimited"),
		hubspot.WithRetry(2, time.Millisecond, 10*time.Millisecond))
	hs.AddUser("Staff@Example.com", "Sam", "Staff")
	al := hs.SeedContact("al@example.com", nil)
	hs.SetAdditionalEmails(al, "al2@example.com")
	kim := hs.SeedContact("kim@example.com", nil)
	hs.ArchiveContact(kim)
	max := hs.SeedContact("max@example.com", nil)
	hs.ArchiveContact(max)
	hs.SeedContact("oli@example.com", nil)
	hs.ResetRequests()

	lake := schema.Lake{Dir: t.TempDir()}
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	sum, err := CRMSnapshot(t.Context(), SnapshotConfig{
		Client: client, Lake: lake, RunID: "run-1", Now: func() time.Time { return now },
		Candidates: func(context.Context) ([]Candidate, error) {
			// The users must be in the lake before candidates are listed.
			if _, err := os.Stat(lake.RawPart(schema.StreamCRMUsers, "run-1", 0)); err != nil {
				t.Errorf("candidates listed before raw/crm_users was written: %v", err)
			}
			return []Candidate{
				{Email: "al2@example.com"},
				{Email: "kim@example.com", Known: true},
				{Email: "lee@example.com", Known: true},
				{Email: "max@example.com"},
				{Email: "oli@example.com", Known: true, Cached: true},
				{Email: "pat@example.com", Cached: true},
			}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSum := &SnapshotSummary{Users: 1, Candidates: 6, Cached: 1, Read: 2, Known: 3, Live: 1, Archived: 1, Secondary: 1}
	if diff := cmp.Diff(wantSum, sum, cmpopts.IgnoreFields(SnapshotSummary{}, "Files")); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	// The files committed, as the lake manifest records them.
	var streams []string
	for _, f := range sum.Files {
		streams = append(streams, f.Stream)
		n, sha, err := lakefile.Checksum(filepath.Join(lake.Dir, filepath.FromSlash(f.Path)))
		if err != nil || n != f.Bytes || sha != f.SHA256 || f.RunID != "run-1" {
			t.Errorf("file %+v: on disk %d bytes, sha256 %s (%v)", f, n, sha, err)
		}
		if want := map[string]int64{schema.StreamCRMUsers: 1, schema.StreamCRMContactsSeen: 2}[f.Stream]; f.Rows != want {
			t.Errorf("file %s: %d rows, want %d", f.Path, f.Rows, want)
		}
	}
	if want := []string{schema.StreamCRMUsers, schema.StreamCRMContactsSeen}; !slices.Equal(streams, want) {
		t.Errorf("files of streams %v, want %v", streams, want)
	}
	users := readRaw[schema.CRMUser](t, lake, schema.StreamCRMUsers)
	if len(users) != 1 || users[0].Email != "staff@example.com" || users[0].RunID != "run-1" {
		t.Errorf("crm_users = %+v", users)
	}
	seen := readRaw[schema.CRMContactSeen](t, lake, schema.StreamCRMContactsSeen)
	wantSeen := []schema.CRMContactSeen{
		{Email: "al2@example.com", State: "live", ContactID: al, PrimaryEmail: "al@example.com", Secondary: true},
		// Unknown to the ledger, deleted by someone: found among the archived.
		{Email: "max@example.com", State: "archived", ContactID: max, PrimaryEmail: "max@example.com"},
	}
	if diff := cmp.Diff(wantSeen, seen, cmpopts.IgnoreFields(schema.CRMContactSeen{}, "RunID", "FetchedAt"),
		cmpopts.SortSlices(func(a, b schema.CRMContactSeen) bool { return a.Email < b.Email })); diff != "" {
		t.Errorf("crm_contacts_seen (-want +got):\n%s", diff)
	}
	var calls []string
	for _, r := range hs.Requests() {
		if r.Write {
			t.Errorf("the snapshot wrote: %s %s", r.Method, r.Path)
		}
		calls = append(calls, r.Method+" "+r.Path+"?"+r.Query)
	}
	// Users: 1 page; the two emails read: one live read, one archived
	// read of the one no live contact has.
	if len(calls) != 3 || strings.Count(strings.Join(calls, "\n"), "archived=true") != 1 {
		t.Errorf("calls:\n%s\nwant a users page, one live read and one archived read", strings.Join(calls, "\n"))
	}
}
