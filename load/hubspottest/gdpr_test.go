package hubspottest

import (
	"net/http"
	"slices"
	"testing"
)

// TestContacts_gdprDelete: a GDPR-deleted contact is gone for good (no
// archived read or list finds it, nothing points at it), and a new upsert
// of its email creates a new contact.
func TestContacts_gdprDelete(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithTier("unlimited"))
	ana := srv.SeedContact("ana@example.com", map[string]string{"firstname": "Ana"})
	srv.SetAdditionalEmails(ana, "ana.alias@example.com")
	bo := srv.SeedContact("bo@example.com", nil)
	srv.ArchiveContact(bo)
	wantStatus(t, do(t, srv, "POST", "/marketing/v3/marketing-events/events/upsert", m{"inputs": []m{{
		"externalAccountId": "z", "externalEventId": "w1", "eventName": "W", "eventOrganizer": "Acme"}}}), http.StatusOK)
	wantStatus(t, do(t, srv, "POST", "/marketing/v3/marketing-events/attendance/w1/attend/create?externalAccountId=z",
		m{"inputs": []m{{"vid": jsonNumber(ana), "interactionDateTime": 1777629600000, "properties": m{}}}}), http.StatusOK)

	const gdpr = "/crm/v3/objects/contacts/gdpr-delete"
	wantStatus(t, do(t, srv, "POST", gdpr, m{"objectId": "ANA.alias@example.com", "idProperty": "email"}), http.StatusNoContent)
	wantStatus(t, do(t, srv, "POST", gdpr, m{"objectId": bo}), http.StatusNoContent) // archived: deleted too

	for _, id := range []string{ana, bo} {
		if _, ok := srv.ContactByID(id); ok {
			t.Errorf("contact %s still held", id)
		}
		wantStatus(t, do(t, srv, "GET", "/crm/v3/objects/contacts/"+id+"?archived=true", nil), http.StatusNotFound)
	}
	r := do(t, srv, "POST", "/crm/v3/objects/contacts/batch/read?archived=true", m{"idProperty": "email",
		"inputs": []m{{"id": "ana@example.com"}, {"id": "bo@example.com"}}, "properties": []string{}, "propertiesWithHistory": []string{}})
	wantStatus(t, r, http.StatusMultiStatus)
	if res := results(t, r); len(res) != 0 {
		t.Errorf("archived read found %v", res)
	}
	if got := results(t, do(t, srv, "GET", "/crm/v3/objects/contacts?archived=true", nil)); len(got) != 0 {
		t.Errorf("archived list = %v", got)
	}
	if p := srv.Participations("w1"); len(p) != 0 {
		t.Errorf("participations of the deleted contact remain: %v", p)
	}

	// A new upsert of the email creates a new contact, with a new id.
	r = do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(m{"id": "ana@example.com"}))
	wantStatus(t, r, http.StatusOK)
	res := results(t, r)
	if len(res) != 1 || res[0]["new"] != true || res[0]["id"] == ana || res[0]["id"] == bo {
		t.Errorf("upsert after deletion = %v, want a new contact", res)
	}
	if c, ok := srv.Contact("ana.alias@example.com"); ok {
		t.Errorf("the deleted contact's secondary email still resolves to %s", c.ID)
	}

	// An email that matches no contact goes on the block list; an unknown id is 404.
	wantStatus(t, do(t, srv, "POST", gdpr, m{"objectId": "Nobody@example.com", "idProperty": "email"}), http.StatusNoContent)
	if got := srv.BlockedEmails(); !slices.Equal(got, []string{"nobody@example.com"}) {
		t.Errorf("blocked = %v", got)
	}
	wantStatus(t, do(t, srv, "POST", gdpr, m{"objectId": "424242"}), http.StatusNotFound)
}
