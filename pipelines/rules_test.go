//go:build duckdb_arrow

package pipelines

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// TestSync_rules_endToEnd: against the simulators, a CRM user stays out (an
// existing contact with the email gets no Zoom properties), a secondary email
// gets no contact of its own, an excluded domain is excluded, and a contact
// deleted in the CRM is not re-created when its Zoom activity changes.
func TestSync_rules_endToEnd(t *testing.T) {
	acct := zoomtest.Generate(zoomtest.GenConfig{Seed: 42})
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()

	want := groundTruth(acct, false)
	emails := make([]string, 0, len(want))
	domains := map[string]int{}
	for e := range want {
		emails = append(emails, e)
		domains[e[strings.IndexByte(e, '@')+1:]]++
	}
	slices.Sort(emails)
	domainOf := func(e string) string { return e[strings.IndexByte(e, '@')+1:] }
	var excluded string
	for _, e := range emails { // a domain with a few contacts
		if n := domains[domainOf(e)]; n >= 2 && n <= 10 {
			excluded = domainOf(e)
			break
		}
	}
	pick := func(ok func(e string, w *wantContact) bool, not ...string) string {
		for _, e := range emails {
			if domainOf(e) != excluded && !slices.Contains(not, e) && ok(e, want[e]) {
				return e
			}
		}
		t.Fatal("no email fits")
		return ""
	}
	attendee := func(_ string, w *wantContact) bool { return w.attended > 0 }
	userEmail := pick(attendee)
	secondaryEmail := pick(attendee, userEmail)
	deletedEmail := pick(func(_ string, w *wantContact) bool { return w.registrations > 0 }, userEmail, secondaryEmail)
	if excluded == "" {
		t.Fatal("no domain to exclude")
	}
	t.Logf("excluded domain %s (%d contacts), CRM user %s, secondary %s, deleted %s",
		excluded, domains[excluded], userEmail, secondaryEmail, deletedEmail)

	hs.AddUser(strings.ToUpper(userEmail), "Crm", "User")
	userContact := hs.SeedContact(userEmail, map[string]string{"firstname": "Staff"})
	owner := hs.SeedContact("owner.primary@owner-example.com", nil)
	hs.SetAdditionalEmails(owner, secondaryEmail)

	cfg := &Config{
		DataDir: t.TempDir(),
		Zoom: ZoomConfig{APIURL: zs.APIURL(), OAuthURL: zs.OAuthURL(),
			AccountID: "demo-account", ClientID: "demo-client", ClientSecret: "demo-secret", Plan: "unlimited"},
		HubSpot: HubSpotConfig{APIURL: hs.URL, Token: "demo-token", Tier: "unlimited"},
		CRM:     &HubSpotSettings{ExcludedContactDomains: []string{excluded}},
	}
	hs.ResetRequests()
	t0 := time.Now()
	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	t.Logf("first sync %s; snapshot %+v; calls: %s", time.Since(t0).Round(time.Millisecond), *res.CRM, snapshotCalls(hs.Requests()))

	contacts := hs.Contacts()
	byEmail := map[string]hubspottest.Contact{}
	for _, c := range contacts {
		byEmail[c.Email] = c
		if domainOf(c.Email) == excluded {
			t.Errorf("contact %s is in the excluded domain %s", c.Email, excluded)
		}
	}
	if _, ok := byEmail[secondaryEmail]; ok {
		t.Errorf("the secondary email %s got a contact of its own", secondaryEmail)
	}
	for id, name := range map[string]string{userContact: "the CRM user's contact", owner: "the secondary email's owner"} {
		c, _ := hs.ContactByID(id)
		for p := range c.Properties {
			if strings.HasPrefix(p, "zoom_") {
				t.Errorf("%s got Zoom property %s", name, p)
			}
		}
	}
	wantN := len(want) - domains[excluded] - 2 + 2 // two rules' people out, two seeded contacts
	if len(contacts) != wantN {
		t.Errorf("HubSpot holds %d contacts, want %d", len(contacts), wantN)
	}
	audit := auditReasons(t, cfg)
	for email, reason := range map[string]string{userEmail: schema.ReasonCRMUser, secondaryEmail: schema.ReasonSecondaryEmail} {
		if !slices.Contains(audit[email], reason) {
			t.Errorf("audit of %s = %v, want %s", email, audit[email], reason)
		}
	}
	if n := res.Transform.AuditByReason[schema.ReasonExcludedDomain]; n == 0 {
		t.Errorf("no excluded_domain audit rows")
	}

	// Delete a contact in the CRM, then give it new Zoom activity.
	deleted, ok := byEmail[deletedEmail]
	if !ok {
		t.Fatalf("%s was not created", deletedEmail)
	}
	hs.ArchiveContact(deleted.ID)
	if !registerAgain(acct, deletedEmail, "rules-test-1") {
		t.Fatal("no webinar to register the deleted contact for")
	}
	hs.ResetRequests()
	// Every stage fetched again, so the new registration is seen whether
	// or not its webinar had settled.
	res2, err := Sync(t.Context(), cfg, SyncOptions{ExtractOptions: ExtractOptions{FullRefresh: true}})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	t.Logf("second sync snapshot %+v; calls: %s", *res2.CRM, snapshotCalls(hs.Requests()))
	if _, ok := hs.Contact(deletedEmail); ok {
		t.Errorf("the deleted contact %s was re-created", deletedEmail)
	}
	if res2.Load.Created != 0 {
		t.Errorf("second sync created %d contacts, want 0", res2.Load.Created)
	}
	audit = auditReasons(t, cfg)
	if !slices.Contains(audit[deletedEmail], schema.ReasonContactDeleted) {
		t.Errorf("audit of %s = %v, want contact_deleted", deletedEmail, audit[deletedEmail])
	}
}

// registerAgain registers email for one more webinar of acct (one it has
// not registered for, still listed), so that the contact's registrations
// change; false when there is none.
func registerAgain(acct *zoomtest.Account, email, id string) bool {
	for _, w := range acct.Webinars {
		if w.Expired || w.ApprovalType == 2 || len(w.Registrants) == 0 {
			continue
		}
		if slices.ContainsFunc(w.Registrants, func(r *zoomtest.Registrant) bool {
			return strings.EqualFold(strings.TrimSpace(r.Email), email)
		}) {
			continue
		}
		w.Registrants = append(w.Registrants, &zoomtest.Registrant{ID: id, Email: email,
			FirstName: "Re", LastName: "Registered", Status: "approved", CreateTime: acct.Now.Add(-time.Hour), JoinURL: w.JoinURL + "?tk=" + id})
		return true
	}
	return false
}

// auditReasons reads the lake's audit: email -> reasons.
func auditReasons(t *testing.T, cfg *Config) map[string][]string {
	t.Helper()
	e, err := transform.OpenReadOnly(t.Context(), lakeOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rows, err := e.DB().QueryContext(t.Context(), "SELECT DISTINCT email, reason FROM audit WHERE email IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var email, reason string
		if err := rows.Scan(&email, &reason); err != nil {
			t.Fatal(err)
		}
		out[email] = append(out[email], reason)
	}
	return out
}

// snapshotCalls counts the snapshot's reads in a request log.
func snapshotCalls(reqs []hubspottest.Request) string {
	var users, live, archived int
	for _, r := range reqs {
		switch {
		case strings.Contains(r.Path, "/settings/"):
			users++
		case strings.HasSuffix(r.Path, "/contacts/batch/read") && strings.Contains(r.Query, "archived=true"):
			archived++
		case strings.HasSuffix(r.Path, "/contacts/batch/read"):
			live++
		}
	}
	return strings.Join([]string{strconv.Itoa(users) + " users pages", strconv.Itoa(live) + " live reads", strconv.Itoa(archived) + " archived reads",
		strconv.Itoa(len(reqs)) + " requests in all"}, ", ")
}
