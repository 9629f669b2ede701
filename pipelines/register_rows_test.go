//go:build duckdb_arrow

package pipelines

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/transform"
)

// TestRegisterAll_webinarPerRow: people whose rows name their webinar
// (webinar_id with spaces or dashes, as a contact property holds it) are
// grouped per webinar and each webinar keeps every guard: the open one
// registers, the host of the open one is refused there, a webinar of another
// account and one with a strict form refuse their people without sending;
// rows without a webinar_id go to the default webinar, and one email may
// register for two webinars.
func TestRegisterAll_webinarPerRow(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	dashed := func(id int64) string { s := fmt.Sprint(id); return s[:3] + "-" + s[3:7] + "-" + s[7:] }
	spaced := func(id int64) string { s := fmt.Sprint(id); return s[:3] + " " + s[3:7] + " " + s[7:] }
	people := []Person{
		{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Webinar: spaced(f.open.ID)},
		{Email: "bob@example.com", FirstName: "Bob", LastName: "Builder", Webinar: dashed(f.foreign.ID)},
		{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Webinar: fmt.Sprint(f.auto.ID)},
		{Email: f.open.HostEmail, FirstName: "Host", LastName: "Self", Webinar: dashed(f.open.ID)},
		{Email: "cy@example.com", FirstName: "Cy", LastName: "Strict", Webinar: fmt.Sprint(f.strict.ID)},
		{Email: "dee@example.com", FirstName: "Dee", LastName: "Default"}, // --webinar: auto
	}
	results, err := RegisterAll(t.Context(), f.cfg, RegisterOptions{Webinar: fmt.Sprint(f.auto.ID), People: people})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	var order []int64
	for _, res := range results {
		order = append(order, res.WebinarID)
		for _, p := range res.People {
			if p.WebinarID != res.WebinarID {
				t.Errorf("%s: outcome of webinar %d in the result of %d", p.Email, p.WebinarID, res.WebinarID)
			}
			got[fmt.Sprintf("%d %s", p.WebinarID, strings.ToLower(p.Email))] = p.Outcome + " " + p.Reason
		}
	}
	if want := []int64{f.open.ID, f.foreign.ID, f.auto.ID, f.strict.ID}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("webinars in order %v, want %v (first appearance)", order, want)
	}
	want := map[string]string{
		fmt.Sprintf("%d ada@example.com", f.open.ID):                       OutcomePending + " ",
		fmt.Sprintf("%d %s", f.open.ID, strings.ToLower(f.open.HostEmail)): OutcomeRefused + " " + RefusalHost,
		fmt.Sprintf("%d bob@example.com", f.foreign.ID):                    OutcomeRefused + " " + RefusalOtherAccount,
		fmt.Sprintf("%d ada@example.com", f.auto.ID):                       OutcomeRegistered + " ",
		fmt.Sprintf("%d dee@example.com", f.auto.ID):                       OutcomeRegistered + " ",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if o := got[fmt.Sprintf("%d cy@example.com", f.strict.ID)]; !strings.HasPrefix(o, OutcomeRefused+" registration requires fields") {
		t.Errorf("strict form: %q, want refused for its fields", o)
	}
	if n := f.posts(); n != 3 {
		t.Errorf("%d registration POSTs, want 3 (ada twice, dee)", n)
	}
}

// TestRegisterAll_badWebinarIDs: a row whose webinar_id is not one, or a row
// without one when no default webinar is given, stops the job before any
// call to Zoom, naming the rows.
func TestRegisterAll_badWebinarIDs(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	_, err := RegisterAll(t.Context(), f.cfg, RegisterOptions{People: []Person{
		{Email: "a@example.com", FirstName: "A", Webinar: fmt.Sprint(f.open.ID)},
		{Email: "b@example.com", FirstName: "B", Webinar: "812-34x6"},
		{Email: "c@example.com", FirstName: "C"},
	}})
	if err == nil || !strings.Contains(err.Error(), "person 2 (b@example.com)") || !strings.Contains(err.Error(), "person 3 (c@example.com): no webinar_id") {
		t.Errorf("err = %v, want persons 2 and 3 named", err)
	}
	if n := f.srv.Stats().Total; n != 0 {
		t.Errorf("%d calls to Zoom before refusing, want 0", n)
	}
}

// TestReadPeopleCSV_webinarID: the optional webinar_id column is read with
// its spaces and dashes; one that is not a webinar id is a bad line.
func TestReadPeopleCSV_webinarID(t *testing.T) {
	t.Parallel()
	people, err := ReadPeopleCSV(strings.NewReader("email,first_name,last_name,webinar_id\na@x.com,A,B,812 3456 7890\nb@x.com,C,D,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 2 || people[0].Webinar != "812 3456 7890" || people[1].Webinar != "" {
		t.Errorf("people = %+v", people)
	}
	if _, err := ReadPeopleCSV(strings.NewReader("email,webinar_id\na@x.com,webinar-one\n")); err == nil || !strings.Contains(err.Error(), "line 2: webinar_id") {
		t.Errorf("bad webinar_id: err = %v", err)
	}
}

// TestPeopleFromSQL_webinarID: the --sql query's optional webinar_id
// column (a number or text with spaces and dashes) is read per row; a value
// that is not a webinar id fails with its row.
func TestPeopleFromSQL_webinarID(t *testing.T) {
	t.Parallel()
	cfg := &Config{DataDir: t.TempDir()}
	e, err := transform.Open(t.Context(), lakeOf(cfg)) // creates the catalog
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	people, err := PeopleFromSQL(t.Context(), cfg, `SELECT * FROM (VALUES ('a@x.com', 'A', 81234567890), ('b@x.com', 'B', NULL)) t(email, first_name, webinar_id)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 2 || people[0].Webinar != "81234567890" || people[1].Webinar != "" {
		t.Errorf("people = %+v", people)
	}
	people, err = PeopleFromSQL(t.Context(), cfg, `SELECT 'a@x.com' AS email, '812 3456-7890' AS webinar_id`)
	if err != nil || len(people) != 1 || people[0].Webinar != "812 3456-7890" {
		t.Errorf("text webinar_id: %+v, %v", people, err)
	}
	if _, err := PeopleFromSQL(t.Context(), cfg, `SELECT 'a@x.com' AS email, 'next week' AS webinar_id`); err == nil || !strings.Contains(err.Error(), "row 1: webinar_id") {
		t.Errorf("bad webinar_id: err = %v", err)
	}
}
