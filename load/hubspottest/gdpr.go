package hubspottest

import (
	"net/http"
	"slices"
	"strings"
)

// GDPR deletion (reference §4.4): the contact is gone for good, archived
// lists and reads included, with its marketing event participations, its
// timeline events and its call associations; its id is never used again, so
// a later upsert of its email creates a new contact. An email that matches
// no contact is put on the block list.

// POST /crm/v3/objects/contacts/gdpr-delete {"objectId", "idProperty"?} → 204.
// objectId is a record id (live or archived), or the value of idProperty
// (email or another unique property; the live contact first, else an
// archived one). An unknown record id → 404.
func (s *Server) gdprDeleteContact(c *call) {
	var in struct {
		ObjectID   string `json:"objectId"`
		IDProperty string `json:"idProperty"`
	}
	if !s.decode(c, &in) {
		return
	}
	if strings.TrimSpace(in.ObjectID) == "" {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Some required fields were not set: [objectId]", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkUniqueKey(c, contactsTypeID, in.IDProperty, false, s.props["contacts"].props) {
		return
	}
	target := s.gdprTarget(in.IDProperty, strings.TrimSpace(in.ObjectID))
	switch {
	case target != nil:
		s.erase(target)
		c.write = true
	case in.IDProperty == "email":
		e := strings.ToLower(strings.TrimSpace(in.ObjectID))
		if !slices.Contains(s.blocked, e) {
			s.blocked = append(s.blocked, e)
			c.write = true
		}
	default:
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found",
			func(b *errorBody) { b.Context = map[string][]string{"id": {in.ObjectID}} })
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// gdprTarget finds the contact a GDPR deletion names: live first, then archived.
func (s *Server) gdprTarget(idProperty, key string) *contact {
	switch idProperty {
	case "", "hs_object_id":
		return s.contacts.byID[key]
	case "email":
		if c := s.contacts.byEmail(key, false); c != nil {
			return c
		}
		return s.contacts.byEmail(key, true)
	}
	if c := s.contacts.byProp(idProperty, key, false); c != nil {
		return c
	}
	return s.contacts.byProp(idProperty, key, true)
}

// erase removes a contact and everything that points at it.
func (s *Server) erase(ct *contact) {
	s.contacts.remove(ct)
	for _, e := range s.mevents.byKey {
		for k, p := range e.parts {
			if p.ContactID == ct.id {
				delete(e.parts, k)
			}
		}
	}
	for _, r := range s.calls.byID {
		r.contacts = slices.DeleteFunc(r.contacts, func(id string) bool { return id == ct.id })
	}
	s.timeline.eorder = slices.DeleteFunc(s.timeline.eorder, func(k string) bool {
		if e := s.timeline.events[k]; e.ObjectID == ct.id {
			delete(s.timeline.events, k)
			delete(s.timeline.created, k)
			return true
		}
		return false
	})
}

// remove takes c out of the store and the email index for good.
func (st *contactStore) remove(c *contact) {
	old := c.ix
	if old.primary != "" {
		unlist(st.primary, emailKey{old.primary, old.archived}, c)
	}
	for _, e := range old.secondary {
		unlist(st.secondary, emailKey{e, old.archived}, c)
	}
	c.ix = indexedEmails{}
	delete(st.byID, c.id)
}

// BlockedEmails returns the emails a GDPR deletion put on the block list
// (they matched no contact), in order.
func (s *Server) BlockedEmails() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.blocked)
}
