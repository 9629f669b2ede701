package hubspottest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Calls (reference §8): created and updated in batches with the
// objectWriteTraceId rule of contacts, associated with contacts
// (call→contact, type 194) on create or through associations v4.

// callToContact is the HUBSPOT_DEFINED association type id call → contact.
const callToContact = 194

// Call is a call record as the simulator holds it, for tests.
type Call struct {
	ID         string
	Properties map[string]string
	ContactIDs []string // associated contacts, in the order sent
	CreatedAt  time.Time
}

type callRecord struct {
	id         string
	props      map[string]string
	contacts   []string
	archived   bool
	createdAt  time.Time
	updatedAt  time.Time
	archivedAt time.Time
}

type callStore struct {
	byID   map[string]*callRecord
	order  []string
	nextID int
}

func newCallStore() *callStore { return &callStore{byID: map[string]*callRecord{}, nextID: 50001} }

// byProp finds the live call whose property name has this value.
func (st *callStore) byProp(name, value string) *callRecord {
	for _, id := range st.order {
		if r := st.byID[id]; !r.archived && r.props[name] == value {
			return r
		}
	}
	return nil
}

// holder returns the id of the live call holding value in property name, or "".
func (st *callStore) holder(name, value string) string {
	if r := st.byProp(name, value); r != nil {
		return r.id
	}
	return ""
}

// find resolves a key (a record id, or a unique property's value when
// idProperty names one) to a call with the given archived flag.
func (st *callStore) find(idProperty, key string, archived bool) *callRecord {
	key = strings.TrimSpace(key)
	if idProperty == "" || idProperty == "hs_object_id" {
		if r, ok := st.byID[key]; ok && r.archived == archived {
			return r
		}
		return nil
	}
	for _, id := range st.order {
		if r := st.byID[id]; r.archived == archived && r.props[idProperty] == key {
			return r
		}
	}
	return nil
}

// create stores a new call with these values and associated contacts.
func (st *callStore) create(values map[string]string, contacts []string, now time.Time) *callRecord {
	id := strconv.Itoa(st.nextID)
	st.nextID++
	ts := isoTime(now)
	r := &callRecord{id: id, contacts: contacts, createdAt: now, updatedAt: now,
		props: map[string]string{"hs_object_id": id, "hs_createdate": ts, "hs_lastmodifieddate": ts}}
	maps.Copy(r.props, values)
	st.byID[id] = r
	st.order = append(st.order, id)
	return r
}

// Calls returns every call, in creation order, with its associations.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, id := range s.calls.order {
		r := s.calls.byID[id]
		out = append(out, Call{ID: r.id, Properties: maps.Clone(r.props), ContactIDs: slices.Clone(r.contacts), CreatedAt: r.createdAt})
	}
	return out
}

func callRoutes() []route {
	return []route{
		{pattern: "POST /crm/v3/objects/calls/batch/create", h: (*Server).batchCreateCalls},
		{pattern: "POST /crm/v3/objects/calls/batch/read", h: (*Server).batchReadCalls},
		{pattern: "POST /crm/v3/objects/calls/batch/update", h: (*Server).batchUpdateCalls},
		{pattern: "POST /crm/v3/objects/calls/batch/upsert", h: (*Server).batchUpsertCalls},
		{pattern: "GET /crm/v3/objects/calls/{callId}", h: (*Server).getCall},
		{pattern: "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create", h: (*Server).batchCreateAssociations},
	}
}

// callAlwaysReturned are in every call read result.
var callAlwaysReturned = []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}

func (r *callRecord) object(names []string) simpleObject {
	o := simpleObject{ID: r.id, Properties: map[string]string{}, CreatedAt: isoTime(r.createdAt),
		UpdatedAt: isoTime(r.updatedAt), Archived: r.archived}
	for _, n := range append(slices.Clone(names), callAlwaysReturned...) {
		if v, ok := r.props[n]; ok {
			o.Properties[n] = v
		}
	}
	if r.archived {
		o.ArchivedAt = isoTime(r.archivedAt)
	}
	return o
}

// update sets values on the call and marks it modified at now.
func (r *callRecord) update(values map[string]string, now time.Time) {
	maps.Copy(r.props, values)
	r.updatedAt = now
	r.props["hs_lastmodifieddate"] = isoTime(now)
}

// written is the answer to a write of values to the call: the properties
// written (and those always returned), with the input's trace id.
func (r *callRecord) written(values map[string]string, trace string) simpleObject {
	o := r.object(slices.Collect(maps.Keys(values)))
	o.ObjectWriteTraceID = trace
	return o
}

// publicObjectID and associationSpec are the specs' PublicObjectId and
// AssociationSpec.
type (
	publicObjectID struct {
		ID string `json:"id"`
	}
	associationSpec struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int    `json:"associationTypeId"`
	}
)

// callInput is the spec's SimplePublicObjectBatchInputForCreate.
type callInput struct {
	ObjectWriteTraceID string                  `json:"objectWriteTraceId"`
	Properties         map[string]scalarString `json:"properties"`
	Associations       []struct {
		To    publicObjectID    `json:"to"`
		Types []associationSpec `json:"types"`
	} `json:"associations"`
}

func (i callInput) trace() string { return i.ObjectWriteTraceID }

// checkCallToContact accepts only the call → contact type: the simulator
// knows no other association.
func checkCallToContact(types []associationSpec) *inputError {
	if len(types) == 0 {
		return badInput(http.StatusBadRequest, "VALIDATION_ERROR", "An association needs at least one type")
	}
	for _, t := range types {
		if t.AssociationCategory != "HUBSPOT_DEFINED" || t.AssociationTypeID != callToContact {
			return badInput(http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("Association type %s/%d is not supported by the simulator: use HUBSPOT_DEFINED/%d (call to contact)",
					t.AssociationCategory, t.AssociationTypeID, callToContact))
		}
	}
	return nil
}

// checkCallProps validates the property values of a call: known, writable,
// well-typed; hs_timestamp is required on create and cannot be cleared.
// Call with s.mu held.
func (s *Server) checkCallProps(in map[string]scalarString, create bool) (map[string]string, *inputError) {
	values, perrs := checkProps(s.props["calls"].props, in)
	_, named := in["hs_timestamp"]
	if values["hs_timestamp"] == "" && (create || named) && !slices.ContainsFunc(perrs, func(e propError) bool { return e.Name == "hs_timestamp" }) {
		perrs = append(perrs, propError{Message: "hs_timestamp is required", Error: "REQUIRED_PROPERTY", Name: "hs_timestamp"})
	}
	if u := values["hs_call_recording_url"]; u != "" && !strings.HasPrefix(u, "https://") {
		perrs = append(perrs, propError{Message: "Recording URL must use HTTPS", Error: "INVALID_URL", Name: "hs_call_recording_url"})
	}
	if len(perrs) > 0 {
		return nil, badInput(http.StatusBadRequest, "VALIDATION_ERROR", propErrorsMessage(perrs))
	}
	return values, nil
}

// callPlan is one validated call create.
type callPlan struct {
	trace    string
	values   map[string]string
	contacts []string
}

// planCall validates one create input; claimant names it among the batch's
// unique values. Call with s.mu held.
func (s *Server) planCall(i callInput, claims uniqueClaims, claimant string) (callPlan, *inputError) {
	values, ierr := s.checkCallProps(i.Properties, true)
	if ierr == nil {
		ierr = checkUnique(s.props["calls"].props, values, "", claimant, s.calls.holder, claims, "")
	}
	if ierr != nil {
		return callPlan{}, ierr
	}
	var contacts []string
	for _, a := range i.Associations {
		if ierr := checkCallToContact(a.Types); ierr != nil {
			return callPlan{}, ierr
		}
		ct, ok := s.contacts.byID[a.To.ID]
		if !ok || ct.archived {
			return callPlan{}, badInput(http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("Could not create association: contact %s does not exist", a.To.ID))
		}
		if !slices.Contains(contacts, ct.id) {
			contacts = append(contacts, ct.id)
		}
	}
	return callPlan{trace: i.ObjectWriteTraceID, values: values, contacts: contacts}, nil
}

// POST /crm/v3/objects/calls/batch/create → 201, 207 when every input has a
// unique objectWriteTraceId and some fail, else 400 for any invalid input.
func (s *Server) batchCreateCalls(c *call) {
	inputs, ok := decodeInputs[callInput](s, c)
	if !ok {
		return
	}
	started := isoTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	claims := uniqueClaims{}
	n := 0
	plans, errs, ok := planBatch(s, c, inputs, callInput.trace, func(i callInput) (callPlan, *inputError) {
		n++
		return s.planCall(i, claims, fmt.Sprint("new#", n))
	})
	if !ok {
		return
	}
	now := s.now()
	results := make([]simpleObject, 0, len(plans))
	for _, p := range plans {
		r := s.calls.create(p.values, p.contacts, now)
		c.write = true
		results = append(results, r.written(p.values, p.trace))
	}
	shuffle(s, results)
	writeBatchResponse(s, c, http.StatusCreated, started, results, errs)
}

// callUpdate is the spec's SimplePublicObjectBatchInput.
type callUpdate struct {
	ID                 string                  `json:"id"`
	IDProperty         string                  `json:"idProperty"`
	ObjectWriteTraceID string                  `json:"objectWriteTraceId"`
	Properties         map[string]scalarString `json:"properties"`
}

func (i callUpdate) trace() string      { return i.ObjectWriteTraceID }
func (i callUpdate) idProperty() string { return i.IDProperty }

// callUpdatePlan is one validated call update.
type callUpdatePlan struct {
	trace  string
	r      *callRecord
	values map[string]string
}

// planCallUpdate validates one update input: a live call, valid values.
// Call with s.mu held.
func (s *Server) planCallUpdate(i callUpdate, claims uniqueClaims) (callUpdatePlan, *inputError) {
	r := s.calls.find(i.IDProperty, i.ID, false)
	var values map[string]string
	var ierr *inputError
	if r == nil {
		ierr = badInput(http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("Could not find a CALL with id %s", i.ID))
	} else {
		values, ierr = s.checkCallProps(i.Properties, false)
	}
	if ierr == nil {
		ierr = checkUnique(s.props["calls"].props, values, r.id, r.id, s.calls.holder, claims, "")
	}
	if ierr != nil {
		ierr.context = map[string][]string{"ids": {i.ID}}
		return callUpdatePlan{}, ierr
	}
	return callUpdatePlan{trace: i.ObjectWriteTraceID, r: r, values: values}, nil
}

// POST /crm/v3/objects/calls/batch/update (by record id) → 200, 207 when
// every input has a unique objectWriteTraceId and some fail (invalid values,
// unknown or archived id), else 400/404 for the batch. Duplicate ids → 400.
// Properties not named keep their values; associations are untouched.
func (s *Server) batchUpdateCalls(c *call) {
	inputs, ok := decodeInputs[callUpdate](s, c)
	if !ok {
		return
	}
	ids := map[string]bool{}
	var dups []string
	for _, i := range inputs {
		if i.ID == "" || i.Properties == nil {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Some required fields were not set: [id, properties]", nil)
			return
		}
		if ids[i.ID] {
			dups = append(dups, i.ID)
		}
		ids[i.ID] = true
	}
	if len(dups) > 0 {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Duplicate IDs found in batch input: "+strings.Join(dups, ", "),
			func(b *errorBody) { b.Context = map[string][]string{"ids": dups} })
		return
	}
	started := isoTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	if !checkIDProperties(s, c, callsTypeID, inputs, callUpdate.idProperty, s.props["calls"].props) {
		return
	}
	claims := uniqueClaims{}
	plans, errs, ok := planBatch(s, c, inputs, callUpdate.trace,
		func(i callUpdate) (callUpdatePlan, *inputError) { return s.planCallUpdate(i, claims) })
	if !ok {
		return
	}
	now := s.now()
	results := make([]simpleObject, 0, len(plans))
	for _, p := range plans {
		p.r.update(p.values, now)
		c.write = true
		results = append(results, p.r.written(p.values, p.trace))
	}
	shuffle(s, results)
	writeBatchResponse(s, c, http.StatusOK, started, results, errs)
}

// labelsBetweenObjectPair is the associations v4 spec's LabelsBetweenObjectPair.
type labelsBetweenObjectPair struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     string   `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       string   `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

// POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create →
// 201, 207 when some pairs name an unknown or archived call or contact.
// Only calls → contacts with HUBSPOT_DEFINED/194 is served; any other pair
// of types, a missing id or another association type fails the batch (400).
// Associating an associated pair succeeds and changes nothing.
//
// No associations v4 OpenAPI file is kept in reference/openapi: the shapes
// follow HubSpot's published v4 spec (BatchInputPublicAssociationMultiPost
// in, BatchResponseLabelsBetweenObjectPair[WithErrors] out); the error
// context (objectId, objectType) is what HubSpot sends for an invalid id on
// the single-pair PUT [obs].
func (s *Server) batchCreateAssociations(c *call) {
	from, to := objectTypes[c.param("fromObjectType")], objectTypes[c.param("toObjectType")]
	if from != "calls" || to != "contacts" {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Associations from %s to %s are not supported by the simulator: only calls to contacts",
				c.param("fromObjectType"), c.param("toObjectType")), nil)
		return
	}
	type input struct {
		From  *publicObjectID   `json:"from"`
		To    *publicObjectID   `json:"to"`
		Types []associationSpec `json:"types"`
	}
	inputs, ok := decodeInputs[input](s, c)
	if !ok {
		return
	}
	for _, i := range inputs {
		if i.From == nil || i.To == nil || i.From.ID == "" || i.To.ID == "" || i.Types == nil {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Some required fields were not set: [from, to, types]", nil)
			return
		}
		if ierr := checkCallToContact(i.Types); ierr != nil {
			s.writeError(c, ierr.status, ierr.category, ierr.message, nil)
			return
		}
	}
	started := isoTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	invalid := func(kind, id string) standardError {
		return newStandardError("VALIDATION_ERROR", "One or more associations are invalid",
			map[string][]string{"INVALID_OBJECT_IDS": {kind + "=" + id + " is not valid"}, "objectId": {id}, "objectType": {kind}})
	}
	results := []labelsBetweenObjectPair{}
	var errs []standardError
	for _, i := range inputs {
		r, ok := s.calls.byID[i.From.ID]
		if !ok || r.archived {
			errs = append(errs, invalid("CALL", i.From.ID))
			continue
		}
		if ct, ok := s.contacts.byID[i.To.ID]; !ok || ct.archived {
			errs = append(errs, invalid("CONTACT", i.To.ID))
			continue
		}
		if !slices.Contains(r.contacts, i.To.ID) {
			r.contacts = append(r.contacts, i.To.ID)
		}
		c.write = true
		results = append(results, labelsBetweenObjectPair{FromObjectTypeID: "0-48", FromObjectID: r.id,
			ToObjectTypeID: "0-1", ToObjectID: i.To.ID, Labels: []string{}})
	}
	shuffle(s, results)
	writeBatchResponse(s, c, http.StatusCreated, started, results, errs)
}

// POST /crm/v3/objects/calls/batch/read?archived= (by record id) → 200 / 207.
func (s *Server) batchReadCalls(c *call) {
	var in readRequest
	if !s.decode(c, &in) {
		return
	}
	c.inputs = len(in.Inputs)
	if in.Inputs == nil || in.Properties == nil || in.PropertiesWithHistory == nil {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			"Invalid input JSON: Some required fields were not set: [inputs, properties, propertiesWithHistory]", nil)
		return
	}
	if !s.checkBatchSize(c, len(in.Inputs)) {
		return
	}
	archived, ok := s.boolQuery(c, "archived")
	if !ok {
		return
	}
	readBatch(s, c, in, callsTypeID, "calls", "CALL",
		func(id string) *callRecord { return s.calls.find(in.IDProperty, id, archived) },
		func(r *callRecord) string { return r.id },
		func(r *callRecord) simpleObject { return r.object(*in.Properties) })
}

// associatedID is the spec's AssociatedId.
type associatedID struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// GET /crm/v3/objects/calls/{callId}?properties=&associations=contacts&archived=
func (s *Server) getCall(c *call) {
	archived, ok := s.boolQuery(c, "archived")
	if !ok {
		return
	}
	q := c.r.URL.Query()
	assoc := splitList(q["associations"])
	s.mu.Lock()
	r, found := s.calls.byID[c.param("callId")]
	found = found && r.archived == archived
	var out struct {
		simpleObject
		Associations map[string]map[string][]associatedID `json:"associations,omitempty"`
	}
	if found {
		out.simpleObject = r.object(splitList(q["properties"]))
		for _, a := range assoc {
			if ot := objectTypes[a]; ot != "contacts" {
				continue
			}
			ids := []associatedID{}
			for _, id := range r.contacts {
				if ct, ok := s.contacts.byID[id]; ok && !ct.archived {
					ids = append(ids, associatedID{ID: id, Type: "call_to_contact"})
				}
			}
			if len(ids) > 0 {
				if out.Associations == nil {
					out.Associations = map[string]map[string][]associatedID{}
				}
				out.Associations["contacts"] = map[string][]associatedID{"results": ids}
			}
		}
	}
	s.mu.Unlock()
	if !found {
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found",
			func(b *errorBody) { b.Context = map[string][]string{"id": {c.param("callId")}} })
		return
	}
	s.writeJSON(c, http.StatusOK, out)
}
