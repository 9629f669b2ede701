package hubspottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxBatchInputs is the CRM batch size limit (reference §3: 101 → 400).
const maxBatchInputs = 100

// maxHistoryReads is the batch read limit when propertiesWithHistory is asked for.
const maxHistoryReads = 50

// Contact is a contact as the simulator holds it, for tests.
type Contact struct {
	ID         string
	Email      string // primary email, lower-case
	Properties map[string]string
	Archived   bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

type contact struct {
	id         string
	num        int // id as a number: the email index's order
	props      map[string]string
	archived   bool
	archivedAt time.Time
	createdAt  time.Time
	updatedAt  time.Time
	ix         indexedEmails // what the email index holds for c
}

func (c *contact) public() Contact {
	return Contact{ID: c.id, Email: c.props["email"], Properties: maps.Clone(c.props), Archived: c.archived,
		CreatedAt: c.createdAt, UpdatedAt: c.updatedAt}
}

// secondary returns the contact's additional emails.
func (c *contact) secondary() []string {
	v := c.props["hs_additional_emails"]
	if v == "" {
		return nil
	}
	return strings.Split(v, ";")
}

// hasEmail reports whether e (lower-case) is the primary or a secondary email.
func (c *contact) hasEmail(e string) bool {
	return c.props["email"] == e || slices.Contains(c.secondary(), e)
}

type contactStore struct {
	byID   map[string]*contact
	nextID int
	// The email index, kept by reindex on every change of a contact's
	// email, additional emails or archived flag: primary email → contacts
	// with it, secondary email → contacts holding it, each list by id, live
	// and archived apart. Keys are the stored values as they are (the
	// lookup lower-cases and trims its argument, never the stored value).
	primary   map[emailKey][]*contact
	secondary map[emailKey][]*contact
}

type emailKey struct {
	email    string
	archived bool
}

// indexedEmails is what the email index holds for a contact.
type indexedEmails struct {
	archived  bool
	primary   string   // "" = not indexed
	secondary []string // without "" or repeats
}

func (a indexedEmails) equal(b indexedEmails) bool {
	return a.archived == b.archived && a.primary == b.primary && slices.Equal(a.secondary, b.secondary)
}

// emailsOf returns what the index should hold for c now.
func emailsOf(c *contact) indexedEmails {
	ix := indexedEmails{archived: c.archived, primary: c.props["email"]}
	for _, e := range c.secondary() {
		if e != "" && !slices.Contains(ix.secondary, e) {
			ix.secondary = append(ix.secondary, e)
		}
	}
	return ix
}

// reindex brings the email index up to date with c: call it after any
// change of c.props["email"], c.props["hs_additional_emails"] or c.archived.
func (st *contactStore) reindex(c *contact) {
	now := emailsOf(c)
	if now.equal(c.ix) {
		return
	}
	old := c.ix
	if old.primary != "" {
		unlist(st.primary, emailKey{old.primary, old.archived}, c)
	}
	for _, e := range old.secondary {
		unlist(st.secondary, emailKey{e, old.archived}, c)
	}
	if now.primary != "" {
		enlist(st.primary, emailKey{now.primary, now.archived}, c)
	}
	for _, e := range now.secondary {
		enlist(st.secondary, emailKey{e, now.archived}, c)
	}
	c.ix = now
}

func byNum(a, b *contact) int { return a.num - b.num }

// enlist adds c to the id-ordered list under k.
func enlist(m map[emailKey][]*contact, k emailKey, c *contact) {
	list := m[k]
	i, found := slices.BinarySearchFunc(list, c, byNum)
	if !found {
		m[k] = slices.Insert(list, i, c)
	}
}

// unlist removes c from the list under k.
func unlist(m map[emailKey][]*contact, k emailKey, c *contact) {
	list := m[k]
	i, found := slices.BinarySearchFunc(list, c, byNum)
	if !found {
		return
	}
	if len(list) == 1 {
		delete(m, k)
		return
	}
	m[k] = slices.Delete(list, i, i+1)
}

func newContactStore() *contactStore {
	return &contactStore{byID: map[string]*contact{}, nextID: 1001,
		primary: map[emailKey][]*contact{}, secondary: map[emailKey][]*contact{}}
}

// sorted returns contacts with the given archived flag, by numeric id.
func (st *contactStore) sorted(archived bool) []*contact {
	var out []*contact
	for _, c := range st.byID {
		if c.archived == archived {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *contact) int { return idNum(a.id) - idNum(b.id) })
	return out
}

func idNum(id string) int {
	n, _ := strconv.Atoi(id)
	return n
}

// byEmail finds the contact whose primary email is e, else one that holds e as
// a secondary email, among contacts with the given archived flag; among
// several, the lowest id. Two lookups in the email index.
func (st *contactStore) byEmail(e string, archived bool) *contact {
	e = strings.ToLower(strings.TrimSpace(e))
	if e == "" {
		return nil
	}
	k := emailKey{e, archived}
	if list := st.primary[k]; len(list) > 0 {
		return list[0]
	}
	if list := st.secondary[k]; len(list) > 0 {
		return list[0]
	}
	return nil
}

// lastByPrimary finds the contact with the highest id whose primary email is
// e (as stored), among contacts with the given archived flag.
func (st *contactStore) lastByPrimary(e string, archived bool) *contact {
	if list := st.primary[emailKey{e, archived}]; len(list) > 0 {
		return list[len(list)-1]
	}
	return nil
}

// byProp finds a contact by a unique property value.
func (st *contactStore) byProp(name, value string, archived bool) *contact {
	for _, c := range st.sorted(archived) {
		if c.props[name] == value {
			return c
		}
	}
	return nil
}

func (st *contactStore) create(email string, now time.Time) *contact {
	id := strconv.Itoa(st.nextID)
	st.nextID++
	ts := isoTime(now)
	c := &contact{id: id, num: idNum(id), createdAt: now, updatedAt: now, props: map[string]string{
		"hs_object_id": id, "createdate": ts, "lastmodifieddate": ts,
	}}
	if email != "" {
		c.props["email"] = email
	}
	st.byID[id] = c
	st.reindex(c)
	return c
}

func (c *contact) touch(now time.Time) {
	c.updatedAt = now
	c.props["lastmodifieddate"] = isoTime(now)
}

// Contacts returns the live (non-archived) contacts, sorted by id.
func (s *Server) Contacts() []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Contact
	for _, c := range s.contacts.sorted(false) {
		out = append(out, c.public())
	}
	return out
}

// Contact finds a live contact by primary or secondary email.
func (s *Server) Contact(email string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.contacts.byEmail(email, false); c != nil {
		return c.public(), true
	}
	return Contact{}, false
}

// ContactByID finds a contact by id, archived or not.
func (s *Server) ContactByID(id string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.contacts.byID[id]; ok {
		return c.public(), true
	}
	return Contact{}, false
}

// SeedContact creates a contact without validation (or updates the live one
// that has this primary email) and returns its id.
func (s *Server) SeedContact(email string, props map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	var c *contact
	if email != "" {
		c = s.contacts.lastByPrimary(email, false)
	}
	if c == nil {
		c = s.contacts.create(email, now)
	}
	for k, v := range props {
		if k == "email" {
			continue
		}
		c.props[k] = v
	}
	c.touch(now)
	s.contacts.reindex(c)
	return c.id
}

// SetAdditionalEmails sets a contact's secondary emails (hs_additional_emails).
func (s *Server) SetAdditionalEmails(id string, emails ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contacts.byID[id]
	if !ok {
		return
	}
	var list []string
	for _, e := range emails {
		list = append(list, strings.ToLower(strings.TrimSpace(e)))
	}
	if len(list) == 0 {
		delete(c.props, "hs_additional_emails")
	} else {
		c.props["hs_additional_emails"] = strings.Join(list, ";")
	}
	c.touch(s.now())
	s.contacts.reindex(c)
}

// ArchiveContact archives a contact, as a delete in the CRM would.
func (s *Server) ArchiveContact(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.archive(id)
}

func (s *Server) archive(id string) bool {
	c, ok := s.contacts.byID[id]
	if !ok || c.archived {
		return false
	}
	now := s.now()
	c.archived, c.archivedAt = true, now
	c.touch(now)
	s.contacts.reindex(c)
	return true
}

// simpleObject is the spec's SimplePublicObject (and …WithAssociations).
type simpleObject struct {
	ID                    string                          `json:"id"`
	Properties            map[string]string               `json:"properties"`
	PropertiesWithHistory map[string][]valueWithTimestamp `json:"propertiesWithHistory,omitempty"`
	CreatedAt             string                          `json:"createdAt"`
	UpdatedAt             string                          `json:"updatedAt"`
	Archived              bool                            `json:"archived"`
	ArchivedAt            string                          `json:"archivedAt,omitempty"`
	ObjectWriteTraceID    string                          `json:"objectWriteTraceId,omitempty"`
}

// upsertObject is the spec's SimplePublicUpsertObject.
type upsertObject struct {
	simpleObject
	New bool `json:"new"`
}

type valueWithTimestamp struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
}

// defaultReadProperties are returned when a read names no properties.
var defaultReadProperties = []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}

// alwaysReturned are in every read result.
var alwaysReturned = []string{"createdate", "hs_object_id", "lastmodifieddate"}

// object renders c with the named properties (unset ones are omitted, since
// the spec types property values as strings).
func (c *contact) object(names, history []string) simpleObject {
	if len(names) == 0 {
		names = defaultReadProperties
	}
	o := simpleObject{ID: c.id, Properties: map[string]string{}, CreatedAt: isoTime(c.createdAt),
		UpdatedAt: isoTime(c.updatedAt), Archived: c.archived}
	for _, n := range append(slices.Clone(names), alwaysReturned...) {
		if v, ok := c.props[n]; ok {
			o.Properties[n] = v
		}
	}
	for _, n := range history {
		if v, ok := c.props[n]; ok {
			if o.PropertiesWithHistory == nil {
				o.PropertiesWithHistory = map[string][]valueWithTimestamp{}
			}
			o.PropertiesWithHistory[n] = []valueWithTimestamp{{Value: v, Timestamp: isoTime(c.updatedAt), SourceType: "API"}}
		}
	}
	if c.archived {
		o.ArchivedAt = isoTime(c.archivedAt)
	}
	return o
}

// batchResponse is the spec's BatchResponse… / …WithErrors.
type batchResponse[T any] struct {
	Status      string          `json:"status"`
	Results     []T             `json:"results"`
	NumErrors   int             `json:"numErrors,omitempty"`
	Errors      []standardError `json:"errors,omitempty"`
	StartedAt   string          `json:"startedAt"`
	CompletedAt string          `json:"completedAt"`
}

// writeBatch answers okStatus, or 207 when there are errors.
func writeBatchResponse[T any](s *Server, c *call, okStatus int, started string, results []T, errs []standardError) {
	if results == nil {
		results = []T{}
	}
	status := okStatus
	if len(errs) > 0 {
		status = http.StatusMultiStatus
	}
	s.writeJSON(c, status, batchResponse[T]{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: started, CompletedAt: isoTime(s.now())})
}

func (s *Server) writeBatch(c *call, okStatus int, started string, results []property, errs []standardError) {
	writeBatchResponse(s, c, okStatus, started, results, errs)
}

// checkBatchSize answers 400 above the batch limit.
// paging reads the list endpoints' limit (1 to 100, default def) and after
// (a non-negative offset) query parameters, answering 400 for bad values.
func (s *Server) paging(c *call, def int) (limit, after int, ok bool) {
	q := c.r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxBatchInputs {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("limit must be a number between 1 and %d, got %q", maxBatchInputs, v), nil)
			return 0, 0, false
		}
		limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Invalid paging cursor after=%q", v), nil)
			return 0, 0, false
		}
		after = n
	}
	return limit, after, true
}

// batchInputs records a batch's size and refuses, with HubSpot's 400, a
// request without an inputs array or with more than the batch maximum.
func (s *Server) batchInputs(c *call, present bool, n int) bool {
	c.inputs = n
	if !present {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Some required fields were not set: [inputs]", nil)
		return false
	}
	return s.checkBatchSize(c, n)
}

func (s *Server) checkBatchSize(c *call, n int) bool {
	if n > maxBatchInputs {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Batch input size of %d exceeds the limit of %d inputs", n, maxBatchInputs),
			func(b *errorBody) { b.Context = map[string][]string{"limit": {strconv.Itoa(maxBatchInputs)}} })
		return false
	}
	return true
}

// scalarString accepts the JSON strings HubSpot expects, and also numbers and
// booleans (which HubSpot coerces); null clears the value.
type scalarString string

func (v *scalarString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = scalarString(s)
	case string(b) == "null":
		*v = ""
	case string(b) == "true" || string(b) == "false":
		*v = scalarString(b)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*v = scalarString(b)
	default:
		return fmt.Errorf("property values must be strings, not %s", b)
	}
	return nil
}

// upsertInput is the spec's SimplePublicObjectBatchInputUpsert.
type upsertInput struct {
	ID                 string                  `json:"id"`
	IDProperty         string                  `json:"idProperty"`
	ObjectWriteTraceID string                  `json:"objectWriteTraceId"`
	Properties         map[string]scalarString `json:"properties"`
}

// propError is one entry of "Property values were not valid: [...]".
type propError struct {
	IsValid bool   `json:"isValid"`
	Message string `json:"message"`
	Error   string `json:"error"`
	Name    string `json:"name"`
}

// inputError is why one upsert input was rejected.
type inputError struct {
	status   int
	category string
	message  string
}

func propErrorsMessage(errs []propError) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errs)
	return "Property values were not valid: " + strings.TrimSpace(buf.String())
}

// checkValue validates a property value for its definition and returns the
// value to store.
func checkValue(p *property, v string) (string, *propError) {
	bad := func(code, msg string) (string, *propError) {
		return "", &propError{IsValid: false, Message: msg, Error: code, Name: p.Name}
	}
	if p.Name == "email" {
		if !validEmail(v) {
			return bad("INVALID_EMAIL", fmt.Sprintf("Email address %s is invalid", v))
		}
		return strings.ToLower(v), nil
	}
	if v == "" {
		return "", nil // clears the value
	}
	switch p.Type {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil || strings.ContainsAny(v, "xXpP_") || strings.EqualFold(v, "nan") || strings.Contains(strings.ToLower(v), "inf") {
			return bad("INVALID_INTEGER", fmt.Sprintf("%s was not a valid number.", v))
		}
	case "bool":
		if v != "true" && v != "false" {
			return bad("INVALID_OPTION", fmt.Sprintf("%s was not one of the allowed options: [true, false]", v))
		}
	case "enumeration":
		if p.ExternalOptions || p.Name == "hs_additional_emails" {
			return v, nil
		}
		var allowed []string
		for _, o := range p.Options {
			allowed = append(allowed, o.Value)
		}
		values := []string{v}
		if p.FieldType == "checkbox" {
			values = strings.Split(v, ";")
		}
		for _, x := range values {
			if !slices.Contains(allowed, x) {
				return bad("INVALID_OPTION", fmt.Sprintf("%s was not one of the allowed options: [%s]", x, strings.Join(allowed, ", ")))
			}
		}
	case "date":
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format(time.DateOnly), nil
		}
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms%(24*60*60*1000) != 0 {
			return bad("INVALID_DATE", fmt.Sprintf("%s is at a time other than midnight UTC or is not a valid date", v))
		}
		return time.UnixMilli(ms).UTC().Format(time.DateOnly), nil
	case "datetime":
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			return isoTime(time.UnixMilli(ms)), nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return bad("INVALID_DATE", fmt.Sprintf("%s is not a valid datetime: use epoch milliseconds or ISO 8601", v))
		}
		return isoTime(t), nil
	}
	return v, nil
}

// POST /crm/v3/objects/contacts/batch/upsert
func (s *Server) batchUpsertContacts(c *call) {
	var in struct {
		Inputs []upsertInput `json:"inputs"`
	}
	if !s.decode(c, &in) || !s.batchInputs(c, in.Inputs != nil, len(in.Inputs)) {
		return
	}
	started := isoTime(s.now())

	s.mu.Lock()
	defer s.mu.Unlock()
	defs := s.props["contacts"].props

	// Key properties: email, record id, or a property with unique values.
	for _, i := range in.Inputs {
		switch i.IDProperty {
		case "", "email", "hs_object_id":
			continue
		}
		p, ok := defs[i.IDProperty]
		if !ok {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Property \"%s\" does not exist", i.IDProperty), nil)
			return
		}
		if !p.HasUniqueValue {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("Unable to perform update/upsert by non-unique 0-1 property %s", i.IDProperty), nil)
			return
		}
	}

	// Duplicate keys fail the whole request, trace ids or not.
	seen := map[string]bool{}
	var dups []string
	for _, i := range in.Inputs {
		k := strings.ToLower(strings.TrimSpace(i.ID))
		key := i.IDProperty + "\x00" + k
		if seen[key] && !slices.Contains(dups, k) {
			dups = append(dups, k)
		}
		seen[key] = true
	}
	if len(dups) > 0 {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Duplicate IDs found in batch input: [%s]. IDs must be unique", strings.Join(dups, ", ")),
			func(b *errorBody) { b.Context = map[string][]string{"ids": dups} })
		return
	}

	// Partial success needs a unique objectWriteTraceId on every input.
	traced := true
	traces := map[string]bool{}
	for _, i := range in.Inputs {
		if i.ObjectWriteTraceID == "" || traces[i.ObjectWriteTraceID] {
			traced = false
			break
		}
		traces[i.ObjectWriteTraceID] = true
	}

	type plan struct {
		in     upsertInput
		target *contact // nil = create
		key    string   // normalised key value
		values map[string]string
	}
	plans := make([]plan, 0, len(in.Inputs))
	var errs []standardError
	for _, i := range in.Inputs {
		p, ierr := s.planUpsert(i, defs)
		if ierr != nil {
			if !traced {
				s.writeError(c, ierr.status, ierr.category, ierr.message, nil)
				return
			}
			errs = append(errs, newStandardError(ierr.category, ierr.message,
				map[string][]string{"objectWriteTraceId": {i.ObjectWriteTraceID}}))
			continue
		}
		plans = append(plans, plan{in: i, target: p.target, key: p.key, values: p.values})
	}

	now := s.now()
	results := make([]upsertObject, 0, len(plans))
	for _, p := range plans {
		target, isNew := p.target, false
		if target == nil {
			// An earlier input of this batch may have created it.
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
		for k, v := range p.values {
			target.props[k] = v
		}
		target.touch(now)
		s.contacts.reindex(target)
		c.write = true
		names := slices.Collect(maps.Keys(p.values))
		if target.props["email"] != "" {
			names = append(names, "email")
		}
		o := target.object(names, nil)
		o.ObjectWriteTraceID = p.in.ObjectWriteTraceID
		results = append(results, upsertObject{simpleObject: o, New: isNew})
	}
	shuffle(s, results)
	writeBatchResponse(s, c, http.StatusOK, started, results, errs)
}

type upsertPlan struct {
	target *contact
	key    string
	values map[string]string
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

// planUpsert validates one upsert input against the current state.
func (s *Server) planUpsert(i upsertInput, defs map[string]*property) (upsertPlan, *inputError) {
	var perrs []propError
	key := strings.TrimSpace(i.ID)
	if i.IDProperty == "email" {
		if !validEmail(i.ID) {
			perrs = append(perrs, propError{Message: fmt.Sprintf("Email address %s is invalid", i.ID), Error: "INVALID_EMAIL", Name: "email"})
		}
		key = strings.ToLower(key)
	}
	values := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(i.Properties)) {
		v := string(i.Properties[name])
		p, ok := defs[name]
		if !ok || p.Archived {
			perrs = append(perrs, propError{Message: fmt.Sprintf("Property \"%s\" does not exist", name), Error: "PROPERTY_DOESNT_EXIST", Name: name})
			continue
		}
		if p.ModificationMetadata.ReadOnlyValue {
			perrs = append(perrs, propError{Message: fmt.Sprintf("\"%s\" is a read only property; its value cannot be set.", name), Error: "READ_ONLY_VALUE", Name: name})
			continue
		}
		nv, perr := checkValue(p, v)
		if perr != nil {
			perrs = append(perrs, *perr)
			continue
		}
		values[name] = nv
	}
	if len(perrs) > 0 {
		return upsertPlan{}, &inputError{status: http.StatusBadRequest, category: "VALIDATION_ERROR", message: propErrorsMessage(perrs)}
	}
	target := s.resolve(i.IDProperty, key)
	if target == nil && (i.IDProperty == "" || i.IDProperty == "hs_object_id") {
		return upsertPlan{}, &inputError{status: http.StatusBadRequest, category: "OBJECT_NOT_FOUND",
			message: fmt.Sprintf("Object not found. objectId %s does not exist; upsert by record id needs an existing record", i.ID)}
	}
	if e, ok := values["email"]; ok {
		var self string
		if target != nil {
			self = target.id
		}
		if other := s.contacts.byEmail(e, false); other != nil && other.id != self {
			return upsertPlan{}, &inputError{status: http.StatusConflict, category: "CONFLICT",
				message: fmt.Sprintf("Contact already exists. Existing ID: %s", other.id)}
		}
	}
	return upsertPlan{target: target, key: key, values: values}, nil
}

// readRequest is the spec's BatchReadInputSimplePublicObjectId.
type readRequest struct {
	IDProperty string `json:"idProperty"`
	Inputs     []struct {
		ID string `json:"id"`
	} `json:"inputs"`
	Properties            *[]string `json:"properties"`
	PropertiesWithHistory *[]string `json:"propertiesWithHistory"`
}

// POST /crm/v3/objects/contacts/batch/read
func (s *Server) batchReadContacts(c *call) {
	var in readRequest
	if !s.decode(c, &in) {
		return
	}
	c.inputs = len(in.Inputs)
	var missingFields []string
	if in.Inputs == nil {
		missingFields = append(missingFields, "inputs")
	}
	if in.Properties == nil {
		missingFields = append(missingFields, "properties")
	}
	if in.PropertiesWithHistory == nil {
		missingFields = append(missingFields, "propertiesWithHistory")
	}
	if len(missingFields) > 0 {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Invalid input JSON: Some required fields were not set: [%s]", strings.Join(missingFields, ", ")), nil)
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
	started := isoTime(s.now())

	s.mu.Lock()
	if p := in.IDProperty; p != "" && p != "email" && p != "hs_object_id" {
		def, ok := s.props["contacts"].props[p]
		if !ok || !def.HasUniqueValue {
			s.mu.Unlock()
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("Unable to read by property %s: it does not exist or does not have unique values", p), nil)
			return
		}
	}
	results := []simpleObject{}
	var missing []string
	got := map[string]bool{}
	for _, i := range in.Inputs {
		var found *contact
		switch in.IDProperty {
		case "email":
			found = s.contacts.byEmail(i.ID, archived)
		case "", "hs_object_id":
			if x, ok := s.contacts.byID[strings.TrimSpace(i.ID)]; ok && x.archived == archived {
				found = x
			}
		default:
			found = s.contacts.byProp(in.IDProperty, strings.TrimSpace(i.ID), archived)
		}
		if found == nil {
			missing = append(missing, i.ID)
			continue
		}
		if got[found.id] {
			continue
		}
		got[found.id] = true
		results = append(results, found.object(*in.Properties, *in.PropertiesWithHistory))
	}
	shuffle(s, results)
	s.mu.Unlock()

	var errs []standardError
	if len(missing) > 0 {
		errs = append(errs, newStandardError("OBJECT_NOT_FOUND",
			"Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
			map[string][]string{"ids": missing}))
	}
	writeBatchResponse(s, c, http.StatusOK, started, results, errs)
}

// boolQuery parses an optional true/false query parameter, answering 400 on junk.
func (s *Server) boolQuery(c *call, name string) (bool, bool) {
	switch v := c.query(name); v {
	case "", "false":
		return false, true
	case "true":
		return true, true
	default:
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Invalid value %q for query parameter %s: use true or false", v, name), nil)
		return false, false
	}
}

// splitList parses a comma-separated (or repeated) query parameter.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// GET /crm/v3/objects/contacts
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
	var page []simpleObject
	next := ""
	for _, x := range s.contacts.sorted(archived) {
		if idNum(x.id) < after {
			continue
		}
		if len(page) == limit {
			next = x.id
			break
		}
		page = append(page, x.object(props, history))
	}
	s.mu.Unlock()
	if page == nil {
		page = []simpleObject{}
	}
	resp := map[string]any{"results": page}
	if next != "" {
		resp["paging"] = map[string]any{"next": map[string]string{"after": next, "link": "?after=" + next}}
	}
	s.writeJSON(c, http.StatusOK, resp)
}

// GET /crm/v3/objects/contacts/{contactId}
func (s *Server) getContact(c *call) {
	q := c.r.URL.Query()
	archived, ok := s.boolQuery(c, "archived")
	if !ok {
		return
	}
	id, idProp := c.params["contactId"], q.Get("idProperty")
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
	c.write = s.archive(c.params["contactId"])
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// POST /crm/v3/objects/contacts/batch/archive → 204.
func (s *Server) batchArchiveContacts(c *call) {
	var in struct {
		Inputs []struct {
			ID string `json:"id"`
		} `json:"inputs"`
	}
	if !s.decode(c, &in) || !s.batchInputs(c, in.Inputs != nil, len(in.Inputs)) {
		return
	}
	s.mu.Lock()
	for _, i := range in.Inputs {
		if s.archive(i.ID) {
			c.write = true
		}
	}
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}
