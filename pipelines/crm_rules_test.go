//go:build duckdb_arrow

package pipelines

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
	"github.com/zoomsync/zoomsync/schema"
)

// hubspotPost sends a JSON body to the HubSpot simulator with the private
// app token, as a user of the portal would, and checks the status.
func hubspotPost(t *testing.T, hs *hubspottest.Server, path string, body any, wantStatus int) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, hs.URL+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer demo-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("POST %s: %d, want %d", path, resp.StatusCode, wantStatus)
	}
}

// archivedReads counts the batch reads with archived=true of a request log.
func archivedReads(reqs []hubspottest.Request) int {
	n := 0
	for _, r := range reqs {
		if strings.HasSuffix(r.Path, "/contacts/batch/read") && strings.Contains(r.Query, "archived=true") {
			n++
		}
	}
	return n
}

// attendees lists the emails of the ground truth that attended, sorted.
func attendees(want map[string]*wantContact) []string {
	var out []string
	for e, w := range want {
		if w.attended > 0 {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out
}

// TestSync_contactDeletedBeforeFirstSync: a contact someone else created
// and archived in HubSpot before zoomsync's first sync is not created by
// the sync (audit contact_deleted), at the cost of one archived batch read
// per 100 contacts about to be created; a second sync with nothing new reads
// only that email among the archived and creates nothing. Once the contact
// is GDPR-deleted (POST .../gdpr-delete), it is still not created: an
// earlier snapshot saw it deleted.
func TestSync_contactDeletedBeforeFirstSync(t *testing.T) {
	acct := smallAccount()
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer hs.Close()
	deleted := attendees(groundTruth(acct, false))[0]
	id := hs.SeedContact(deleted, map[string]string{"firstname": "Someone", "lastname": "Else"})
	hs.ArchiveContact(id)
	hs.ResetRequests()

	cfg := simConfig(t.TempDir(), zs, hs)
	res, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("first sync: %v", err)
	}
	if c, ok := hs.Contact(deleted); ok {
		t.Errorf("the contact deleted before the first sync was created again: %+v", c)
	}
	if res.Load.Created == 0 {
		t.Fatal("the first sync created no contact")
	}
	// Every contact created was read among the archived first, with the
	// deleted one: one read per 100.
	if got, want := archivedReads(hs.Requests()), (res.Load.Created+1+99)/100; got != want {
		t.Errorf("first sync: %d archived reads for %d contacts created, want %d", got, res.Load.Created, want)
	}
	audit := auditReasons(t, cfg)
	if !slices.Contains(audit[deleted], schema.ReasonContactDeleted) {
		t.Errorf("audit of %s = %v, want contact_deleted", deleted, audit[deleted])
	}

	hs.ResetRequests()
	res2, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if n := archivedReads(hs.Requests()); res2.Load.Created != 0 || n != 1 {
		t.Errorf("second sync, nothing new: %d created, %d archived reads; want 0 and 1 (the deleted email)", res2.Load.Created, n)
	}

	hubspotPost(t, hs, "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": deleted, "idProperty": "email"}, http.StatusNoContent)
	if _, ok := hs.ContactByID(id); ok {
		t.Fatal("the GDPR-deleted contact is still held")
	}
	res3, err := Sync(t.Context(), cfg, SyncOptions{})
	if err != nil {
		t.Fatalf("third sync: %v", err)
	}
	if c, ok := hs.Contact(deleted); ok || res3.Load.Created != 0 {
		t.Errorf("after the GDPR deletion the sync created %d contacts (%s: %+v)", res3.Load.Created, deleted, c)
	}
	audit = auditReasons(t, cfg)
	if !slices.Contains(audit[deleted], schema.ReasonContactDeleted) {
		t.Errorf("audit of %s after the GDPR deletion = %v, want contact_deleted", deleted, audit[deleted])
	}
}

// TestSync_recheckBeforeUpsert: the snapshot does not read known contacts
// at every run; it reads those the load is about to upsert, just before.
// After a first sync, a contact is GDPR-deleted, another merged into a
// third (its email becomes the third's secondary email), and a fourth left
// alone; all four register for one more webinar. The second sync reads
// exactly those four, re-creates neither the deleted nor the merged one
// (audited contact_deleted and secondary_email), leaves the survivor's
// Zoom properties alone, and updates the fourth.
func TestSync_recheckBeforeUpsert(t *testing.T) {
	acct := smallAccount()
	cfg, _, hs := simEnv(t, acct)
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	// Four attendees who can register for one more webinar.
	var people []string
	for _, email := range attendees(groundTruth(acct, false)) {
		if len(people) < 4 && registerAgain(acct, email, fmt.Sprintf("recheck-%d", len(people))) {
			people = append(people, email)
		}
	}
	if len(people) < 4 {
		t.Fatalf("only %d attendees can register once more", len(people))
	}
	gone, merged, survivor, kept := people[0], people[1], people[2], people[3]
	before := map[string]hubspottest.Contact{}
	for _, email := range []string{gone, merged, survivor, kept} {
		c, ok := hs.Contact(email)
		if !ok {
			t.Fatalf("%s has no contact after the first sync", email)
		}
		before[email] = c
	}
	hubspotPost(t, hs, "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": gone, "idProperty": "email"}, http.StatusNoContent)
	hubspotPost(t, hs, "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": merged, "idProperty": "email"}, http.StatusNoContent)
	hs.SetAdditionalEmails(before[survivor].ID, merged)

	hs.ResetRequests()
	res, err := Sync(t.Context(), cfg, SyncOptions{ExtractOptions: ExtractOptions{FullRefresh: true}})
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if res.CRM.Rechecked != 4 || res.CRM.Read != 0 {
		t.Errorf("second sync snapshot %+v: want 4 contacts rechecked, 0 read before the rules", *res.CRM)
	}
	if c, ok := hs.Contact(gone); ok || res.Load.Created != 0 {
		t.Errorf("the GDPR-deleted contact came back (%+v); %d created", c, res.Load.Created)
	}
	if c, _ := hs.ContactByID(before[survivor].ID); c.Email != survivor {
		t.Errorf("the survivor %s now has email %q", survivor, c.Email)
	}
	after, _ := hs.Contact(kept)
	if after.Properties["zoom_total_webinar_registrations"] == before[kept].Properties["zoom_total_webinar_registrations"] {
		t.Errorf("%s: registrations still %s after registering once more", kept, after.Properties["zoom_total_webinar_registrations"])
	}
	surv, _ := hs.Contact(survivor)
	if surv.Properties["zoom_total_webinar_registrations"] == before[survivor].Properties["zoom_total_webinar_registrations"] {
		t.Errorf("the survivor %s was not updated with its own registration", survivor)
	}
	audit := auditReasons(t, cfg)
	for email, reason := range map[string]string{gone: schema.ReasonContactDeleted, merged: schema.ReasonSecondaryEmail} {
		if !slices.Contains(audit[email], reason) {
			t.Errorf("audit of %s = %v, want %s", email, audit[email], reason)
		}
	}
}

// TestSync_crmUserCreatedThroughAPI: two CRM users are created through
// HubSpot's API (POST /settings/v3/users), both attendees in Zoom; one
// already has a contact. The sync creates no contact for the other, and
// the existing contact gets no Zoom property, no timeline event, no
// marketing event participation and no call; both are audited crm_user.
func TestSync_crmUserCreatedThroughAPI(t *testing.T) {
	acct := smallAccount()
	zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer zs.Close()
	hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"), hubspottest.WithToken("demo-token"),
		hubspottest.WithOAuthToken("demo-app-token"))
	defer hs.Close()
	people := attendees(groundTruth(acct, false))
	userWithContact, userOnly := people[0], people[1]
	for _, e := range []string{userWithContact, userOnly} {
		hubspotPost(t, hs, "/settings/v3/users", map[string]any{"email": strings.ToUpper(e), "sendWelcomeEmail": false}, http.StatusCreated)
	}
	contactID := hs.SeedContact(userWithContact, map[string]string{"firstname": "Staff"})

	cfg := simConfig(t.TempDir(), zs, hs)
	cfg.CRM = &HubSpotSettings{Timeline: TimelineSettings{AppID: hubspottest.DefaultAppID}}
	cfg.HubSpot.DeveloperKey, cfg.HubSpot.AppToken = hubspottest.DefaultDeveloperKey, "demo-app-token"
	if _, err := Sync(t.Context(), cfg, SyncOptions{}); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if c, ok := hs.Contact(userOnly); ok {
		t.Errorf("the CRM user %s became a contact: %+v", userOnly, c)
	}
	c, _ := hs.ContactByID(contactID)
	for p := range c.Properties {
		if strings.HasPrefix(p, "zoom_") {
			t.Errorf("the CRM user's contact got Zoom property %s", p)
		}
	}
	events := hs.TimelineEvents()
	if len(events) == 0 {
		t.Fatal("no timeline event at all: the check below proves nothing")
	}
	for _, ev := range events {
		if ev.ObjectID == contactID {
			t.Errorf("the CRM user's contact got timeline event %s %s", ev.TemplateID, ev.ID)
		}
	}
	participations := 0
	for _, me := range hs.MarketingEvents() {
		for _, p := range hs.Participations(me.ExternalEventID) {
			participations++
			if p.ContactID == contactID || strings.EqualFold(p.Email, userOnly) {
				t.Errorf("marketing event %s has the CRM user as %s", me.ExternalEventID, p.State)
			}
		}
	}
	if participations == 0 {
		t.Error("no participation at all: the check above proves nothing")
	}
	for _, call := range hs.Calls() {
		if slices.Contains(call.ContactIDs, contactID) {
			t.Errorf("call %s is associated with the CRM user's contact", call.ID)
		}
	}
	audit := auditReasons(t, cfg)
	for _, e := range []string{userWithContact, userOnly} {
		if !slices.Contains(audit[e], schema.ReasonCRMUser) {
			t.Errorf("audit of %s = %v, want crm_user", e, audit[e])
		}
	}
}
