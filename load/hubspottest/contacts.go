package hubspottest

// Contacts operations (reference §4); the store is in contacts_store.go.

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// POST /crm/v3/objects/contacts/batch/upsert
func (s *Server) batchUpsertContacts(c *call) {
	batchUpsert(s, c, "contacts", contactsTypeID, s.planUpsert, s.applyUpsert)
}

// upsertPlan is one validated upsert input.
type upsertPlan struct {
	in     upsertInput
	target *contact // nil = create
	key    string   // normalised key value
	values map[string]string
}

// applyUpsert writes one planned upsert: it updates the contact the key
// points at now (an earlier input of the batch may have created it) or
// creates one.
func (s *Server) applyUpsert(p upsertPlan, now time.Time) upsertObject {
	target, isNew := p.target, false
	if target == nil {
		target = s.resolve(p.in.IDProperty, p.key)
	}
	if target == nil {
		email := ""
		if p.in.IDProperty == "email" {
			email = p.key
		}
		target, isNew = s.contacts.create(email, now), true
		if p.in.IDProperty != "" && p.in.IDProperty != "email" && p.in.IDProperty != "hs_object_id" {
			target.props[p.in.IDProperty] = strings.TrimSpace(p.in.ID)
		}
	}
	maps.Copy(target.props, p.values)
	target.touch(now)
	s.contacts.reindex(target)
	names := slices.Collect(maps.Keys(p.values))
	if target.props["email"] != "" {
		names = append(names, "email")
	}
	o := target.object(names, nil)
	o.ObjectWriteTraceID = p.in.ObjectWriteTraceID
	return upsertObject{simpleObject: o, New: isNew}
}

// contactHolder returns the id of the live contact whose property name has
// this value, or "".
func (s *Server) contactHolder(name, value string) string {
	if c := s.contacts.byProp(name, value, false); c != nil {
		return c.id
	}
	return ""
}

// resolve finds the live contact an upsert key points at.
func (s *Server) resolve(idProperty, key string) *contact {
	switch idProperty {
	case "email":
		return s.contacts.byEmail(key, false)
	case "", "hs_object_id":
		if c, ok := s.contacts.byID[key]; ok && !c.archived {
			return c
		}
		return nil
	default:
		return s.contacts.byProp(idProperty, key, false)
	}
}

// planUpsert validates one upsert input against the current state;
// claimant names it among the batch's unique values.
func (s *Server) planUpsert(i upsertInput, defs map[string]*property, claims uniqueClaims, claimant string) (upsertPlan, *inputError) {
	var perrs []propError
	key := strings.TrimSpace(i.ID)
	if i.IDProperty == "email" {
		if !validEmail(i.ID) {
			perrs = append(perrs, propError{Message: fmt.Sprintf("Email address %s is invalid", i.ID), Error: "INVALID_EMAIL", Name: "email"})
		}
		key = strings.ToLower(key)
	}
	values, verrs := checkProps(defs, i.Properties)
	if perrs = append(perrs, verrs...); len(perrs) > 0 {
		return upsertPlan{}, badInput(http.StatusBadRequest, "VALIDATION_ERROR", propErrorsMessage(perrs))
	}
	target := s.resolve(i.IDProperty, key)
	if target == nil && (i.IDProperty == "" || i.IDProperty == "hs_object_id") {
		return upsertPlan{}, badInput(http.StatusBadRequest, "OBJECT_NOT_FOUND",
			fmt.Sprintf("Object not found. objectId %s does not exist; upsert by record id needs an existing record", i.ID))
	}
	if e, ok := values["email"]; ok {
		var self string
		if target != nil {
			self = target.id
		}
		if other := s.contacts.byEmail(e, false); other != nil && other.id != self {
			return upsertPlan{}, badInput(http.StatusConflict, "CONFLICT", fmt.Sprintf("Contact already exists. Existing ID: %s", other.id))
		}
	}
	self := ""
	if target != nil {
		self, claimant = target.id, target.id
	}
	if ierr := checkUnique(defs, values, self, claimant, s.contactHolder, claims, "email"); ierr != nil {
		return upsertPlan{}, ierr
	}
	return upsertPlan{in: i, target: target, key: key, values: values}, nil
}

// POST /crm/v3/objects/contacts/batch/read
func (s *Server) batchReadContacts(c *call) {
	var in readRequest
	if !s.decode(c, &in) {
		return
	}
	c.inputs = len(in.Inputs)
	if msg := unsetFields(required{"inputs", in.Inputs == nil}, required{"properties", in.Properties == nil},
		required{"propertiesWithHistory", in.PropertiesWithHistory == nil}); msg != "" {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+msg, nil)
		return
	}
	if !s.checkBatchSize(c, len(in.Inputs)) {
		return
	}
	if len(*in.PropertiesWithHistory) > 0 && len(in.Inputs) > maxHistoryReads {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Batch input size of %d exceeds the limit of %d inputs when propertiesWithHistory is requested", len(in.Inputs), maxHistoryReads), nil)
		return
	}
	archived, ok := s.boolQuery(c, "archived")
	if !ok {
		return
	}
	readBatch(s, c, in, contactsTypeID, "contacts", "CONTACT", func(id string) *contact {
		switch in.IDProperty {
		case "email":
			return s.contacts.byEmail(id, archived)
		case "", "hs_object_id":
			if x, ok := s.contacts.byID[strings.TrimSpace(id)]; ok && x.archived == archived {
				return x
			}
			return nil
		default:
			return s.contacts.byProp(in.IDProperty, strings.TrimSpace(id), archived)
		}
	}, func(x *contact) string { return x.id },
		func(x *contact) simpleObject { return x.object(*in.Properties, *in.PropertiesWithHistory) })
}

// GET /crm/v3/objects/contacts (also /crm/v3/objects/0-1): ?limit ≤ 100
// (default 10) &after &properties &propertiesWithHistory &archived.
func (s *Server) listContacts(c *call) {
	q := c.r.URL.Query()
	limit, after, ok := s.paging(c, 10)
	if !ok {
		return
	}
	archived, ok := s.boolQuery(c, "archived")
	if !ok {
		return
	}
	props, history := splitList(q["properties"]), splitList(q["propertiesWithHistory"])
	s.mu.Lock()
	all := s.contacts.sorted(archived)
	lo, hi, next := pageBounds(len(all), func(i int) string { return all[i].id }, limit, after)
	page := make([]simpleObject, 0, hi-lo)
	for _, x := range all[lo:hi] {
		page = append(page, x.object(props, history))
	}
	s.mu.Unlock()
	s.writeList(c, page, next)
}

// GET /crm/v3/objects/contacts/{contactId}
func (s *Server) getContact(c *call) {
	q := c.r.URL.Query()
	archived, ok := s.boolQuery(c, "archived")
	if !ok {
		return
	}
	id, idProp := c.param("contactId"), q.Get("idProperty")
	s.mu.Lock()
	var found *contact
	switch idProp {
	case "", "hs_object_id":
		if x, ok := s.contacts.byID[id]; ok && x.archived == archived {
			found = x
		}
	case "email":
		found = s.contacts.byEmail(id, archived)
	default:
		if def, ok := s.props["contacts"].props[idProp]; ok && def.HasUniqueValue {
			found = s.contacts.byProp(idProp, id, archived)
		}
	}
	var o simpleObject
	if found != nil {
		o = found.object(splitList(q["properties"]), splitList(q["propertiesWithHistory"]))
	}
	s.mu.Unlock()
	if found == nil {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found",
			func(b *errorBody) { b.Context = map[string][]string{"id": {id}} })
		return
	}
	s.writeJSON(c, http.StatusOK, o)
}

// DELETE /crm/v3/objects/contacts/{contactId}: archives; 204 even when absent.
func (s *Server) deleteContact(c *call) {
	s.mu.Lock()
	c.write = s.archive(c.param("contactId"))
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// POST /crm/v3/objects/contacts/batch/archive → 204.
func (s *Server) batchArchiveContacts(c *call) {
	type input struct {
		ID string `json:"id"`
	}
	inputs, ok := decodeInputs[input](s, c)
	if !ok {
		return
	}
	s.mu.Lock()
	for _, i := range inputs {
		if s.archive(i.ID) {
			c.write = true
		}
	}
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// contactRoutes are the contacts operations (reference §4).
func contactRoutes() []route {
	const objects = "/crm/v3/objects/contacts"
	return []route{
		{pattern: "GET " + objects, h: (*Server).listContacts},
		{pattern: "GET " + objects + "/{contactId}", h: (*Server).getContact},
		{pattern: "DELETE " + objects + "/{contactId}", h: (*Server).deleteContact},
		{pattern: "POST " + objects + "/batch/upsert", h: (*Server).batchUpsertContacts},
		{pattern: "POST " + objects + "/batch/read", h: (*Server).batchReadContacts},
		{pattern: "POST " + objects + "/batch/archive", h: (*Server).batchArchiveContacts},
		{pattern: "POST " + objects + "/gdpr-delete", h: (*Server).gdprDeleteContact},
	}
}
