package hubspottest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// scanByEmail is the full scan the email index replaced, kept as the
// oracle: the contact whose primary email is e, else one that holds e as a
// secondary email, among contacts with the given archived flag; among
// several, the lowest id.
func scanByEmail(st *contactStore, e string, archived bool) *contact {
	e = strings.ToLower(strings.TrimSpace(e))
	if e == "" {
		return nil
	}
	var primary, secondary *contact
	lower := func(cur, c *contact) bool { return cur == nil || idNum(c.id) < idNum(cur.id) }
	for _, c := range st.byID {
		if c.archived != archived {
			continue
		}
		if c.props["email"] == e {
			if lower(primary, c) {
				primary = c
			}
		} else if primary == nil && lower(secondary, c) && slices.Contains(c.secondary(), e) {
			secondary = c
		}
	}
	if primary != nil {
		return primary
	}
	return secondary
}

// scanSeedTarget is SeedContact's former scan: the live contact with the
// highest id whose primary email is e.
func scanSeedTarget(st *contactStore, e string) *contact {
	var c *contact
	for _, x := range st.sorted(false) {
		if e != "" && x.props["email"] == e {
			c = x
		}
	}
	return c
}

// checkIndex compares the email index with the scan for every email of
// pool (and variants of case and spaces), live and archived, and with an
// index rebuilt from scratch, which catches stale entries for any email.
func checkIndex(t *testing.T, srv *Server, pool []string, step string) {
	t.Helper()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	st := srv.contacts
	id := func(c *contact) string {
		if c == nil {
			return "none"
		}
		return c.id
	}
	for _, e := range pool {
		for _, q := range []string{e, strings.ToUpper(e), "  " + e + " "} {
			for _, archived := range []bool{false, true} {
				if got, want := st.byEmail(q, archived), scanByEmail(st, q, archived); got != want {
					t.Fatalf("%s: byEmail(%q, archived=%v) = %s, the scan finds %s", step, q, archived, id(got), id(want))
				}
			}
		}
		if got, want := st.lastByPrimary(e, false), scanSeedTarget(st, e); got != want {
			t.Fatalf("%s: lastByPrimary(%q) = %s, the scan finds %s", step, e, id(got), id(want))
		}
	}
	fresh := &contactStore{primary: map[emailKey][]*contact{}, secondary: map[emailKey][]*contact{}}
	for _, c := range st.byID {
		cp := *c
		cp.ix = indexedEmails{}
		fresh.reindex(&cp)
	}
	ids := func(m map[emailKey][]*contact) map[emailKey][]string {
		out := map[emailKey][]string{}
		for k, list := range m {
			for _, c := range list {
				out[k] = append(out[k], c.id)
			}
		}
		return out
	}
	for _, which := range []struct {
		name      string
		got, want map[emailKey][]*contact
	}{{"primary", st.primary, fresh.primary}, {"secondary", st.secondary, fresh.secondary}} {
		got, want := ids(which.got), ids(which.want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: %s index\n got %v\nwant %v (rebuilt from the contacts)", step, which.name, got, want)
		}
	}
}

// TestContacts_emailIndexMatchesScan runs random sequences of the operations
// that change emails (create and update by upsert keyed by primary or
// secondary email or by id, email changes, additional emails, archive by
// DELETE, batch/archive and ArchiveContact, SeedContact) over a small pool
// of emails, so that contacts share them, and checks after each step that
// the index answers what a scan of every contact answers.
func TestContacts_emailIndexMatchesScan(t *testing.T) {
	pool := []string{"a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com", "f@x.com"}
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			srv := newTestServer(t)
			pick := func() string { return pool[rng.IntN(len(pool))] }
			cased := func(e string) string {
				if rng.IntN(3) == 0 {
					return strings.ToUpper(e)
				}
				return e
			}
			someIDs := func() []string {
				srv.mu.Lock()
				defer srv.mu.Unlock()
				var ids []string
				for id := range srv.contacts.byID {
					ids = append(ids, id)
				}
				slices.Sort(ids)
				return ids
			}
			anyID := func() string {
				ids := someIDs()
				if len(ids) == 0 || rng.IntN(10) == 0 {
					return "999999"
				}
				return ids[rng.IntN(len(ids))]
			}
			extras := func() []string {
				var out []string
				for range rng.IntN(3) {
					out = append(out, cased(pick()))
				}
				return out
			}
			upsertProps := func() m {
				p := m{"firstname": "F"}
				switch rng.IntN(4) {
				case 0:
					p["email"] = cased(pick())
				case 1: // read-only: the input is refused
					p["hs_additional_emails"] = strings.Join(extras(), ";")
				}
				return p
			}
			for step := range 150 {
				var what string
				switch op := rng.IntN(9); op {
				case 0, 1: // upsert keyed by email, primary or someone's secondary
					var inputs []m
					seen := map[string]bool{}
					for n := range 1 + rng.IntN(3) {
						k := pick()
						if seen[k] {
							continue
						}
						seen[k] = true
						inputs = append(inputs, m{"id": cased(k), "properties": upsertProps(),
							"objectWriteTraceId": fmt.Sprint(n)})
					}
					what = fmt.Sprintf("upsert by email %v", inputs)
					do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(inputs...))
				case 2: // upsert by id, maybe changing the email
					in := m{"id": anyID(), "idProperty": "hs_object_id", "properties": upsertProps()}
					what = fmt.Sprintf("upsert by id %v", in)
					do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(in))
				case 3:
					id, emails := anyID(), extras()
					what = fmt.Sprintf("SetAdditionalEmails(%s, %v)", id, emails)
					srv.SetAdditionalEmails(id, emails...)
				case 4:
					id := anyID()
					what = "DELETE " + id
					do(t, srv, "DELETE", "/crm/v3/objects/contacts/"+id, nil)
				case 5:
					ids := []m{{"id": anyID()}, {"id": anyID()}}
					what = fmt.Sprintf("batch/archive %v", ids)
					do(t, srv, "POST", "/crm/v3/objects/contacts/batch/archive", m{"inputs": ids})
				case 6:
					id := anyID()
					what = "ArchiveContact " + id
					srv.ArchiveContact(id)
				case 7:
					e := cased(pick())
					if rng.IntN(5) == 0 {
						e = ""
					}
					props := map[string]string{"lastname": "L"}
					if rng.IntN(2) == 0 {
						props["hs_additional_emails"] = strings.Join(extras(), ";")
					}
					what = fmt.Sprintf("SeedContact(%q, %v)", e, props)
					srv.SeedContact(e, props)
				case 8: // an upsert keyed by one email that sets another
					in := m{"id": cased(pick()), "properties": m{"email": cased(pick())}}
					what = fmt.Sprintf("upsert %v", in)
					do(t, srv, "POST", "/crm/v3/objects/contacts/batch/upsert", upsertBody(in))
				}
				checkIndex(t, srv, pool, fmt.Sprintf("step %d (%s)", step, what))
			}
			if n := len(someIDs()); n < 5 {
				t.Errorf("only %d contacts after the sequence: the test exercises little", n)
			}
		})
	}
}

// TestContacts_emailIndexOtherCreators covers the contacts created by
// marketing-event attendance (email-create) and by timeline events for unknown emails: the
// index finds them at once, by primary and by secondary email.
func TestContacts_emailIndexOtherCreators(t *testing.T) {
	srv, tid := newTimelineServer(t)
	pool := []string{"zoe@x.com", "zoe.alias@x.com", "tl@x.com", "ana@x.com"}
	wantStatus(t, do(t, srv, "POST", meBase+"/events/upsert", m{"inputs": []m{{"externalAccountId": "acct",
		"externalEventId": "w1", "eventName": "W", "eventOrganizer": "Acme", "customProperties": []m{}}}}), http.StatusOK)
	wantStatus(t, do(t, srv, "POST", meBase+"/attendance/w1/register/email-create?externalAccountId=acct", m{"inputs": []m{
		{"email": "Zoe@X.com", "interactionDateTime": 1, "properties": m{}, "contactProperties": m{"firstname": "Zoe"}}}}), http.StatusOK)
	checkIndex(t, srv, pool, "email-create")
	zoe, _ := srv.Contact("zoe@x.com")
	srv.SetAdditionalEmails(zoe.ID, "Zoe.Alias@x.com")
	checkIndex(t, srv, pool, "additional emails")
	if c, ok := srv.Contact("zoe.alias@x.com"); !ok || c.Email != "zoe@x.com" {
		t.Errorf("Contact(zoe.alias) = %+v, %v: want the contact email-create made", c, ok)
	}
	// A second email-create by the secondary email finds that contact.
	wantStatus(t, do(t, srv, "POST", meBase+"/attendance/w1/attend/email-create?externalAccountId=acct", m{"inputs": []m{
		{"email": "zoe.alias@x.com", "interactionDateTime": 1, "properties": m{}}}}), http.StatusOK)
	if n := len(srv.Contacts()); n != 1 {
		t.Errorf("%d contacts after email-create by the secondary email, want 1", n)
	}
	wantStatus(t, send(t, srv, oauthToken, "POST", "/integrators/timeline/v3/events/batch/create", m{"inputs": []m{
		{"eventTemplateId": tid, "id": "e1", "email": "TL@x.com", "tokens": m{}},
		{"eventTemplateId": tid, "id": "e2", "email": "zoe.alias@x.com", "tokens": m{}},
	}}), http.StatusCreated)
	checkIndex(t, srv, pool, "timeline events")
	if n := len(srv.Contacts()); n != 2 {
		t.Errorf("%d contacts after the timeline events, want 2", n)
	}
	// Archived, the contacts are found only among the archived.
	for _, c := range srv.Contacts() {
		srv.ArchiveContact(c.ID)
	}
	checkIndex(t, srv, pool, "archived")
	if _, ok := srv.Contact("tl@x.com"); ok {
		t.Error("an archived contact is still found live")
	}
}
