package hubspot

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

func rows(n int, firstname string) []UpsertInput {
	in := make([]UpsertInput, n)
	for i := range in {
		in[i] = UpsertInput{
			ID:         fmt.Sprintf("Person%03d@Example.com", i),
			IDProperty: "email",
			Properties: map[string]string{"firstname": firstname, "lastname": fmt.Sprint(i)},
		}
	}
	return in
}

func TestContactsService_BatchUpsert_createsThenUpdates(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithShuffleSeed(7)})
	in := rows(100, "Ana")
	out, _, err := c.Contacts.BatchUpsert(t.Context(), in)
	if err != nil {
		t.Fatalf("BatchUpsert: %v", err)
	}
	if len(out) != 100 {
		t.Fatalf("%d outcomes, want 100", len(out))
	}
	if got := len(srv.Contacts()); got != 100 {
		t.Errorf("simulator holds %d contacts, want 100", got)
	}
	ids := map[string]bool{}
	for i, o := range out {
		if o.Err != nil || !o.Created || o.ContactID == "" {
			t.Fatalf("outcome %d = %+v, want created", i, o)
		}
		if o.Input.ID != in[i].ID || o.Input.ObjectWriteTraceID != fmt.Sprintf("row-%d", i) {
			t.Errorf("outcome %d input = %+v, want row %d with trace id row-%d", i, o.Input, i, i)
		}
		// Results are shuffled; the pairing must still be right.
		sim, ok := srv.Contact(strings.ToLower(in[i].ID))
		if !ok || sim.ID != o.ContactID || sim.Properties["lastname"] != fmt.Sprint(i) {
			t.Errorf("outcome %d: contact id %s, simulator has %+v", i, o.ContactID, sim)
		}
		ids[o.ContactID] = true
	}
	if len(ids) != 100 {
		t.Errorf("%d distinct contact ids, want 100", len(ids))
	}
	if in[0].ObjectWriteTraceID != "" {
		t.Errorf("BatchUpsert modified the caller's inputs")
	}

	out2, _, err := c.Contacts.BatchUpsert(t.Context(), rows(100, "Bea"))
	if err != nil {
		t.Fatalf("second BatchUpsert: %v", err)
	}
	for i, o := range out2 {
		if o.Err != nil || o.Created || o.ContactID != out[i].ContactID {
			t.Fatalf("second outcome %d = %+v, want update of %s", i, o, out[i].ContactID)
		}
	}
	if got := len(srv.Contacts()); got != 100 {
		t.Errorf("simulator holds %d contacts after the update, want 100", got)
	}
	if sim, _ := srv.Contact("person042@example.com"); sim.Properties["firstname"] != "Bea" {
		t.Errorf("firstname = %q, want Bea", sim.Properties["firstname"])
	}
}

func TestContactsService_BatchUpsert_invalidRowsFailAlone(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	in := rows(10, "Ana")
	bad := map[int]string{
		2: "ana@example.con",
		5: "no-at-sign.example.com",
		7: " spaced@example.com ",
		8: "two words@example.com",
	}
	for i, e := range bad {
		in[i].ID = e
	}
	in[9].ObjectWriteTraceID = "my-trace" // a caller's own trace id is kept
	out, _, err := c.Contacts.BatchUpsert(t.Context(), in)
	if err != nil {
		t.Fatalf("BatchUpsert: %v", err)
	}
	for i, o := range out {
		if _, isBad := bad[i]; isBad {
			if o.Err == nil || o.ContactID != "" || o.Err.Category != "VALIDATION_ERROR" {
				t.Errorf("row %d (%q) = %+v, want a VALIDATION_ERROR", i, in[i].ID, o)
			}
			continue
		}
		if o.Err != nil || !o.Created {
			t.Errorf("row %d (%q) = %+v (err %v), want written", i, in[i].ID, o, o.Err)
		}
	}
	if out[9].Input.ObjectWriteTraceID != "my-trace" {
		t.Errorf("trace id = %q, want my-trace", out[9].Input.ObjectWriteTraceID)
	}
	if got, want := len(srv.Contacts()), 10-len(bad); got != want {
		t.Errorf("simulator holds %d contacts, want %d", got, want)
	}
	if got := statuses(srv, "/batch/upsert"); !slices.Equal(got, []int{http.StatusMultiStatus}) {
		t.Errorf("statuses = %v, want [207]", got)
	}
}

func TestContactsService_BatchUpsert_tooMany(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	_, _, err := c.Contacts.BatchUpsert(t.Context(), rows(101, "Ana"))
	if err == nil || !strings.Contains(err.Error(), "101 inputs") {
		t.Fatalf("err = %v, want a refusal of 101 inputs", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestContactsService_BatchUpsert_duplicateEmails(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	in := rows(5, "Ana")
	in[3].ID = "  PERSON001@example.com"
	out, _, err := c.Contacts.BatchUpsert(t.Context(), in)
	if !errors.Is(err, ErrValidation) || out != nil {
		t.Fatalf("BatchUpsert = %v, %v; want no outcomes and a validation error", out, err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !slices.Equal(apiErr.Context["ids"], []string{"person001@example.com"}) {
		t.Errorf("err = %#v, want context.ids [person001@example.com]", err)
	}
	if n := len(srv.Contacts()); n != 0 {
		t.Errorf("%d contacts written, want 0", n)
	}
}

func TestContactsService_BatchUpsert_duplicateTraceIDs(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	in := rows(3, "Ana")
	in[0].ObjectWriteTraceID, in[2].ObjectWriteTraceID = "t", "t"
	if _, _, err := c.Contacts.BatchUpsert(t.Context(), in); err == nil {
		t.Fatal("BatchUpsert accepted duplicate trace ids")
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestContactsService_BatchUpsert_generatedTraceIDsAvoidCallers(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	in := rows(3, "Ana")
	in[0].ObjectWriteTraceID = "row-2"
	out, _, err := c.Contacts.BatchUpsert(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{out[0].Input.ObjectWriteTraceID, out[1].Input.ObjectWriteTraceID, out[2].Input.ObjectWriteTraceID}
	if want := []string{"row-2", "row-1", "row-2-2"}; !slices.Equal(got, want) {
		t.Errorf("trace ids = %v, want %v", got, want)
	}
}

func TestContactsService_BatchUpsert_retriedAfter5xxReplaysBody(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.Fault5xx, Status: 503, Path: "/batch/upsert", Times: 2,
	})})
	out, _, err := c.Contacts.BatchUpsert(t.Context(), rows(20, "Ana"))
	if err != nil {
		t.Fatalf("BatchUpsert: %v", err)
	}
	for i, o := range out {
		if o.Err != nil || !o.Created {
			t.Errorf("row %d = %+v", i, o)
		}
	}
	if got := statuses(srv, "/batch/upsert"); !slices.Equal(got, []int{503, 503, 200}) {
		t.Errorf("statuses = %v, want [503 503 200]", got)
	}
	if n := len(srv.Contacts()); n != 20 {
		t.Errorf("%d contacts, want 20", n)
	}
}

func TestContactsService_BatchUpsert_burst429ThenSuccess(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.Fault429Burst, Path: "/batch/upsert",
	})})
	out, _, err := c.Contacts.BatchUpsert(t.Context(), rows(5, "Ana"))
	if err != nil || len(out) != 5 {
		t.Fatalf("BatchUpsert = %d outcomes, %v", len(out), err)
	}
	if got := statuses(srv, "/batch/upsert"); !slices.Equal(got, []int{429, 200}) {
		t.Errorf("statuses = %v, want [429 200]", got)
	}
}

func TestContactsService_BatchUpsert_daily429(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.Fault429Daily, Path: "/batch/upsert",
	})})
	out, _, err := c.Contacts.BatchUpsert(t.Context(), rows(5, "Ana"))
	if !errors.Is(err, ErrDailyLimit) || out != nil {
		t.Fatalf("BatchUpsert = %v, %v; want ErrDailyLimit", out, err)
	}
	if got := statuses(srv, "/batch/upsert"); !slices.Equal(got, []int{429}) {
		t.Errorf("statuses = %v, want [429] (no retry)", got)
	}
}

func TestMatchUpsert_fallsBackToKeys(t *testing.T) {
	t.Parallel()
	rowsIn := []UpsertInput{
		{ID: "A@x.com", IDProperty: "email", ObjectWriteTraceID: "row-0"},
		{ID: "b@x.com", IDProperty: "email", ObjectWriteTraceID: "row-1"},
		{ID: "c@x.com", IDProperty: "email", ObjectWriteTraceID: "row-2"},
		{ID: "d@x.com", IDProperty: "email", ObjectWriteTraceID: "row-3"},
	}
	res := &BatchResult{
		Results: []*Contact{
			{ID: "2", Properties: map[string]string{"email": "b@x.com"}},
			{ID: "1", New: true, Properties: map[string]string{"email": "a@x.com"}},
		},
		Errors: []*BatchError{{Category: "VALIDATION_ERROR", Context: map[string][]string{"ids": {"C@X.COM"}}}},
	}
	got := matchUpsert(rowsIn, res)
	want := []RowOutcome{
		{Input: rowsIn[0], ContactID: "1", Created: true},
		{Input: rowsIn[1], ContactID: "2"},
		{Input: rowsIn[2], Err: res.Errors[0]},
		{Input: rowsIn[3], Err: &BatchError{Status: "error", Category: "MISSING_RESULT",
			Message: "the batch answer named neither a result nor an error for this input"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matchUpsert (-want +got):\n%s", diff)
	}
}

func TestContactsService_BatchRead(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	ana := srv.SeedContact("ana@example.com", map[string]string{"firstname": "Ana"})
	bea := srv.SeedContact("bea@example.com", map[string]string{"firstname": "Bea"})
	srv.SetAdditionalEmails(bea, "bea.old@example.org")
	gone := srv.SeedContact("gone@example.com", map[string]string{"firstname": "Gone"})
	srv.ArchiveContact(gone)

	read, _, err := c.Contacts.BatchRead(t.Context(), BatchReadRequest{
		IDProperty: "email",
		IDs:        []string{"ana@example.com", "bea.old@example.org", "zoe@example.com", "gone@example.com"},
		Properties: []string{"email", "hs_additional_emails", "firstname"},
	})
	if err != nil {
		t.Fatalf("BatchRead: %v", err)
	}
	found, missing := read.Found, read.Missing
	got := map[string]string{}
	for _, f := range found {
		got[f.ID] = f.Properties["email"] + "/" + f.Properties["firstname"] + "/" + f.Properties["hs_additional_emails"]
		if f.Archived || f.CreatedAt.IsZero() {
			t.Errorf("found %+v", f)
		}
	}
	wantFound := map[string]string{ana: "ana@example.com/Ana/", bea: "bea@example.com/Bea/bea.old@example.org"}
	if diff := cmp.Diff(wantFound, got); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
	slices.Sort(missing)
	if want := []string{"gone@example.com", "zoe@example.com"}; !slices.Equal(missing, want) {
		t.Errorf("missing = %v, want %v", missing, want)
	}

	read, _, err = c.Contacts.BatchRead(t.Context(), BatchReadRequest{
		IDProperty: "email", IDs: []string{"gone@example.com", "ana@example.com"}, Archived: true,
	})
	if err != nil {
		t.Fatalf("BatchRead archived: %v", err)
	}
	found, missing = read.Found, read.Missing
	if len(found) != 1 || found[0].ID != gone || !found[0].Archived || found[0].ArchivedAt.IsZero() {
		t.Errorf("archived read found %+v, want the archived contact %s", found, gone)
	}
	if !slices.Equal(missing, []string{"ana@example.com"}) {
		t.Errorf("archived read missing = %v, want [ana@example.com]", missing)
	}

	if _, _, err := c.Contacts.BatchRead(t.Context(), BatchReadRequest{IDs: make([]string, 101)}); err == nil {
		t.Error("BatchRead accepted 101 ids")
	}
}

func TestContactsService_ListIter_walksAllPages(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	for i := range 234 {
		srv.SeedContact(fmt.Sprintf("p%03d@example.com", i), map[string]string{"firstname": fmt.Sprint(i)})
	}
	archived := srv.SeedContact("archived@example.com", nil)
	srv.ArchiveContact(archived)

	opts := &ListOptions{Properties: []string{"email", "firstname"}}
	var got []string
	for ct, err := range c.Contacts.ListIter(t.Context(), opts) {
		if err != nil {
			t.Fatalf("ListIter: %v", err)
		}
		got = append(got, ct.ID+" "+ct.Properties["email"]+" "+ct.Properties["firstname"])
	}
	var want []string
	for _, ct := range srv.Contacts() {
		want = append(want, ct.ID+" "+ct.Email+" "+ct.Properties["firstname"])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListIter (-want +got):\n%s", diff)
	}
	if opts.After != "" {
		t.Errorf("ListIter modified opts: %+v", opts)
	}
	if got := statuses(srv, "/crm/v3/objects/contacts"); len(got) != 3 {
		t.Errorf("%d page requests, want 3", len(got))
	}

	var arch []string
	for ct, err := range c.Contacts.ListIter(t.Context(), &ListOptions{Archived: true, Limit: 10}) {
		if err != nil {
			t.Fatalf("ListIter archived: %v", err)
		}
		arch = append(arch, ct.ID)
	}
	if !slices.Equal(arch, []string{archived}) {
		t.Errorf("archived list = %v, want [%s]", arch, archived)
	}
}

func TestContactsService_ListIter_stopsOnError(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, []hubspottest.Option{hubspottest.WithFault(hubspottest.Fault{
		Kind: hubspottest.Fault5xx, Path: "/crm/v3/objects/contacts", After: 1, Times: -1,
	})})
	for i := range 150 {
		srv.SeedContact(fmt.Sprintf("p%03d@example.com", i), nil)
	}
	var n, errs int
	for ct, err := range c.Contacts.ListIter(t.Context(), nil) {
		if err != nil {
			errs++
			if !errors.Is(err, ErrServer) {
				t.Errorf("err = %v, want ErrServer", err)
			}
			continue
		}
		if ct != nil {
			n++
		}
	}
	if n != 100 || errs != 1 {
		t.Errorf("got %d contacts and %d errors, want 100 and 1", n, errs)
	}
}

func TestContactsService_ListIter_earlyBreak(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	for i := range 150 {
		srv.SeedContact(fmt.Sprintf("p%03d@example.com", i), nil)
	}
	n := 0
	for _, err := range c.Contacts.ListIter(t.Context(), &ListOptions{Limit: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 7 {
			break
		}
	}
	if got := len(srv.Requests()); got != 2 {
		t.Errorf("%d requests for 7 contacts at 5 per page, want 2", got)
	}
}
