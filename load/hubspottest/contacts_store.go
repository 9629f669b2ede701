package hubspottest

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The contacts store: records by id and the email index (primary and
// secondary emails, live and archived apart), plus the accessors tests use.

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
