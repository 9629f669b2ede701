package hubspottest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// option is the spec's Option (of an enumeration property).
type option struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

type modificationMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyOptions    bool `json:"readOnlyOptions"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

// property is the spec's Property.
type property struct {
	Name                 string               `json:"name"`
	Label                string               `json:"label"`
	Type                 string               `json:"type"`
	FieldType            string               `json:"fieldType"`
	GroupName            string               `json:"groupName"`
	Description          string               `json:"description"`
	Options              []option             `json:"options"`
	DisplayOrder         int                  `json:"displayOrder"`
	Calculated           bool                 `json:"calculated"`
	ExternalOptions      bool                 `json:"externalOptions"`
	HasUniqueValue       bool                 `json:"hasUniqueValue"`
	Hidden               bool                 `json:"hidden"`
	FormField            bool                 `json:"formField"`
	HubspotDefined       bool                 `json:"hubspotDefined,omitempty"`
	ModificationMetadata modificationMetadata `json:"modificationMetadata"`
	NumberDisplayHint    string               `json:"numberDisplayHint,omitempty"`
	TextDisplayHint      string               `json:"textDisplayHint,omitempty"`
	DataSensitivity      string               `json:"dataSensitivity,omitempty"`
	CreatedAt            string               `json:"createdAt"`
	UpdatedAt            string               `json:"updatedAt"`
	Archived             bool                 `json:"archived"`
}

// propertyCreate is the spec's PropertyCreate.
type propertyCreate struct {
	Name              string   `json:"name"`
	Label             string   `json:"label"`
	Type              string   `json:"type"`
	FieldType         string   `json:"fieldType"`
	GroupName         string   `json:"groupName"`
	Description       string   `json:"description"`
	Options           []option `json:"options"`
	DisplayOrder      *int     `json:"displayOrder"`
	HasUniqueValue    bool     `json:"hasUniqueValue"`
	Hidden            bool     `json:"hidden"`
	FormField         bool     `json:"formField"`
	NumberDisplayHint string   `json:"numberDisplayHint"`
	TextDisplayHint   string   `json:"textDisplayHint"`
	DataSensitivity   string   `json:"dataSensitivity"`
}

// propertyGroup is the spec's PropertyGroup (and, with optional fields, PropertyGroupCreate).
type propertyGroup struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
	Archived     bool   `json:"archived"`
}

type propertyStore struct {
	props  map[string]*property
	order  []string // creation order
	groups map[string]*propertyGroup
	gorder []string
}

func (ps *propertyStore) addGroup(g propertyGroup) {
	ps.groups[g.Name] = &g
	ps.gorder = append(ps.gorder, g.Name)
}

func (ps *propertyStore) add(p property) {
	if p.Options == nil {
		p.Options = []option{}
	}
	ps.props[p.Name] = &p
	ps.order = append(ps.order, p.Name)
}

// PropertyDef describes one property, for tests.
type PropertyDef struct{ Name, Label, Type, FieldType, GroupName, Description string }

// allowedFieldTypes is the type → fieldType table of reference §5.
var allowedFieldTypes = map[string][]string{
	"string":       {"text", "textarea", "html", "phonenumber", "file"},
	"number":       {"number"},
	"date":         {"date"},
	"datetime":     {"date"},
	"enumeration":  {"select", "radio", "checkbox", "booleancheckbox"},
	"bool":         {"booleancheckbox"},
	"phone_number": {"phonenumber"},
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// objectTypes maps the names and ids a path may use to a canonical object type.
var objectTypes = map[string]string{
	"contacts": "contacts", "contact": "contacts", "0-1": "contacts",
	"companies": "companies", "company": "companies", "0-2": "companies",
	"deals": "deals", "deal": "deals", "0-3": "deals",
	"calls": "calls", "call": "calls", "0-48": "calls",
	"marketing_events": "marketing_events", "0-54": "marketing_events",
}

func defaultProperties(now time.Time) map[string]*propertyStore {
	ts := isoTime(now.Add(-365 * 24 * time.Hour))
	builtin := func(name, label, typ, field, group string, readOnly bool) property {
		return property{Name: name, Label: label, Type: typ, FieldType: field, GroupName: group,
			Description: label, HubspotDefined: true, FormField: !readOnly && typ == "string",
			ModificationMetadata: modificationMetadata{ReadOnlyDefinition: true, ReadOnlyValue: readOnly},
			CreatedAt:            ts, UpdatedAt: ts}
	}
	out := map[string]*propertyStore{}
	for _, ot := range []string{"contacts", "companies", "deals", "calls", "marketing_events"} {
		ps := &propertyStore{props: map[string]*property{}, groups: map[string]*propertyGroup{}}
		info := map[string]string{"contacts": "contactinformation", "companies": "companyinformation",
			"deals": "dealinformation", "calls": "call", "marketing_events": "marketingeventinformation"}[ot]
		ps.addGroup(propertyGroup{Name: info, Label: strings.ToUpper(ot[:1]) + ot[1:] + " information", DisplayOrder: 0})
		ps.add(builtin("hs_object_id", "Record ID", "number", "number", info, true))
		ps.add(builtin("hs_createdate", "Create date", "datetime", "date", info, true))
		ps.add(builtin("hs_lastmodifieddate", "Last modified date", "datetime", "date", info, true))
		out[ot] = ps
	}
	c := out["contacts"]
	c.addGroup(propertyGroup{Name: "emailinformation", Label: "Email information", DisplayOrder: 1})
	for _, p := range []property{
		builtin("email", "Email", "string", "text", "contactinformation", false),
		builtin("firstname", "First name", "string", "text", "contactinformation", false),
		builtin("lastname", "Last name", "string", "text", "contactinformation", false),
		builtin("hs_additional_emails", "Additional email addresses", "enumeration", "checkbox", "emailinformation", true),
		builtin("createdate", "Create date", "datetime", "date", "contactinformation", true),
		builtin("lastmodifieddate", "Last modified date", "datetime", "date", "contactinformation", true),
		builtin("phone", "Phone number", "string", "phonenumber", "contactinformation", false),
		builtin("company", "Company name", "string", "text", "contactinformation", false),
		builtin("jobtitle", "Job title", "string", "text", "contactinformation", false),
		builtin("website", "Website URL", "string", "text", "contactinformation", false),
		builtin("city", "City", "string", "text", "contactinformation", false),
		builtin("country", "Country/Region", "string", "text", "contactinformation", false),
		builtin("hubspot_owner_id", "Contact owner", "enumeration", "select", "contactinformation", false),
		builtin("lifecyclestage", "Lifecycle stage", "enumeration", "radio", "contactinformation", false),
		builtin("hs_lead_status", "Lead status", "enumeration", "radio", "contactinformation", false),
		builtin("num_associated_deals", "Associated deals", "number", "number", "contactinformation", true),
	} {
		c.add(p)
	}
	c.props["email"].HasUniqueValue = true
	c.props["hubspot_owner_id"].ExternalOptions = true
	c.props["lifecyclestage"].Options = enumOptions("subscriber", "lead", "marketingqualifiedlead",
		"salesqualifiedlead", "opportunity", "customer", "evangelist", "other")
	c.props["hs_lead_status"].Options = enumOptions("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL",
		"UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING")
	calls := out["calls"]
	for _, p := range []property{
		builtin("hs_timestamp", "Activity date", "datetime", "date", "call", false),
		builtin("hs_call_title", "Call title", "string", "text", "call", false),
		builtin("hs_call_body", "Call notes", "string", "html", "call", false),
		builtin("hs_call_duration", "Call duration", "number", "number", "call", false),
		builtin("hs_call_recording_url", "Recording URL", "string", "text", "call", false),
		builtin("hs_call_direction", "Call direction", "enumeration", "select", "call", false),
		builtin("hs_call_status", "Call status", "enumeration", "select", "call", false),
		builtin("hs_call_from_number", "From number", "string", "text", "call", false),
		builtin("hs_call_to_number", "To number", "string", "text", "call", false),
		builtin("hs_call_disposition", "Call outcome", "string", "text", "call", false),
		builtin("hubspot_owner_id", "Activity assigned to", "enumeration", "select", "call", false),
	} {
		calls.add(p)
	}
	calls.props["hs_call_direction"].Options = enumOptions("INBOUND", "OUTBOUND")
	calls.props["hs_call_status"].Options = enumOptions("BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED",
		"CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING")
	calls.props["hubspot_owner_id"].ExternalOptions = true
	return out
}

func enumOptions(values ...string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{Label: v, Value: v, DisplayOrder: i}
	}
	return out
}

// lockStore locks s.mu and returns the property store of the path's object
// type; when there is none it answers 400, unlocks and returns false.
func (s *Server) lockStore(c *call) (*propertyStore, bool) {
	s.mu.Lock()
	ot, ok := objectTypes[c.param("objectType")]
	if !ok {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			"Unable to infer object type from: "+c.param("objectType"), nil)
		s.mu.Unlock()
		return nil, false
	}
	return s.props[ot], true
}

// Properties returns the live property definitions of an object type, by name.
func (s *Server) Properties(objectType string) []PropertyDef {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.props[objectTypes[objectType]]
	if ps == nil {
		return nil
	}
	var out []PropertyDef
	for _, p := range ps.props {
		out = append(out, PropertyDef{Name: p.Name, Label: p.Label, Type: p.Type, FieldType: p.FieldType,
			GroupName: p.GroupName, Description: p.Description})
	}
	slices.SortFunc(out, func(a, b PropertyDef) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Groups returns the property group names of an object type, sorted.
func (s *Server) Groups(objectType string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.props[objectTypes[objectType]]
	if ps == nil {
		return nil
	}
	out := slices.Clone(ps.gorder)
	slices.Sort(out)
	return out
}

// GET /crm/v3/properties/{objectType}
func (s *Server) listProperties(c *call) {
	archived := c.query("archived") == "true"
	listStored(s, c, func(ps *propertyStore) ([]string, map[string]*property) { return ps.order, ps.props },
		func(p *property) bool { return p.Archived == archived })
}

// GET /crm/v3/properties/{objectType}/{propertyName}
func (s *Server) getProperty(c *call) {
	getStored(s, c, "propertyName", func(ps *propertyStore) map[string]*property { return ps.props },
		func(name string) (string, func(*errorBody)) {
			return fmt.Sprintf("Property %s does not exist", name),
				func(b *errorBody) { b.Context = map[string][]string{"propertyName": {name}} }
		})
}

// listStored answers 200 with the entries of the path's store that keep
// holds, in the order pick gives with the map.
func listStored[T any](s *Server, c *call, pick func(*propertyStore) ([]string, map[string]*T), keep func(*T) bool) {
	ps, ok := s.lockStore(c)
	if !ok {
		return
	}
	order, m := pick(ps)
	results := []T{}
	for _, name := range order {
		if v := m[name]; keep(v) {
			results = append(results, *v)
		}
	}
	s.mu.Unlock()
	s.writeJSON(c, http.StatusOK, map[string]any{"results": results})
}

// getStored answers 200 with the entry of the path's store named by the
// path parameter param, or 404 OBJECT_NOT_FOUND with notFound's message
// and body edit.
func getStored[T any](s *Server, c *call, param string, pick func(*propertyStore) map[string]*T,
	notFound func(name string) (string, func(*errorBody))) {
	ps, ok := s.lockStore(c)
	if !ok {
		return
	}
	name := c.param(param)
	v, found := pick(ps)[name]
	var out T
	if found {
		out = *v
	}
	s.mu.Unlock()
	if !found {
		msg, edit := notFound(name)
		s.writeError(c, http.StatusNotFound, "OBJECT_NOT_FOUND", msg, edit)
		return
	}
	s.writeJSON(c, http.StatusOK, out)
}

// validateProperty checks a PropertyCreate against ps; it returns the
// property to store, or the status, category and message of the failure.
func (s *Server) validateProperty(ps *propertyStore, in propertyCreate) (property, int, string, string) {
	if msg := unsetFields(required{"name", in.Name == ""}, required{"label", in.Label == ""}, required{"type", in.Type == ""},
		required{"fieldType", in.FieldType == ""}, required{"groupName", in.GroupName == ""}); msg != "" {
		return property{}, 400, "VALIDATION_ERROR", msg
	}
	if !namePattern.MatchString(in.Name) {
		return property{}, 400, "VALIDATION_ERROR", fmt.Sprintf("Property name %q is invalid: use lower-case letters, digits and _, starting with a letter", in.Name)
	}
	fields, ok := allowedFieldTypes[in.Type]
	if !ok {
		return property{}, 400, "VALIDATION_ERROR", fmt.Sprintf("Property type %q is not one of [bool, date, datetime, enumeration, number, phone_number, string]", in.Type)
	}
	if !slices.Contains(fields, in.FieldType) {
		return property{}, 400, "VALIDATION_ERROR", fmt.Sprintf("Property %s: fieldType %q is not valid for type %q (allowed: %s)", in.Name, in.FieldType, in.Type, strings.Join(fields, ", "))
	}
	if _, ok := ps.groups[in.GroupName]; !ok {
		return property{}, 400, "VALIDATION_ERROR", fmt.Sprintf("Property group %s does not exist.", in.GroupName)
	}
	opts := in.Options
	if in.Type == "bool" && len(opts) == 0 {
		opts = []option{{Label: "Yes", Value: "true", DisplayOrder: 0}, {Label: "No", Value: "false", DisplayOrder: 1}}
	}
	if opts == nil {
		opts = []option{}
	}
	if in.Type == "enumeration" && len(opts) == 0 {
		return property{}, 400, "VALIDATION_ERROR", fmt.Sprintf("Property %s: options are required for enumeration properties", in.Name)
	}
	if _, ok := ps.props[in.Name]; ok {
		return property{}, 409, "OBJECT_ALREADY_EXISTS", fmt.Sprintf("Property named '%s' already exists.", in.Name)
	}
	order := -1
	if in.DisplayOrder != nil {
		order = *in.DisplayOrder
	}
	ts := isoTime(s.now())
	return property{Name: in.Name, Label: in.Label, Type: in.Type, FieldType: in.FieldType, GroupName: in.GroupName,
		Description: in.Description, Options: opts, DisplayOrder: order, HasUniqueValue: in.HasUniqueValue,
		Hidden: in.Hidden, FormField: in.FormField, NumberDisplayHint: in.NumberDisplayHint,
		TextDisplayHint: in.TextDisplayHint, DataSensitivity: in.DataSensitivity,
		ModificationMetadata: modificationMetadata{Archivable: true},
		CreatedAt:            ts, UpdatedAt: ts}, 0, "", ""
}

// POST /crm/v3/properties/{objectType}
func (s *Server) createProperty(c *call) {
	var in propertyCreate
	if !s.decode(c, &in) {
		return
	}
	ps, ok := s.lockStore(c)
	if !ok {
		return
	}
	p, status, category, msg := s.validateProperty(ps, in)
	if status == 0 {
		ps.add(p)
		c.write = true
	}
	s.mu.Unlock()
	if status != 0 {
		s.writeError(c, status, category, msg, func(b *errorBody) {
			if status == http.StatusConflict {
				b.Context = map[string][]string{"name": {in.Name}}
			}
		})
		return
	}
	s.writeJSON(c, http.StatusCreated, p)
}

// POST /crm/v3/properties/{objectType}/batch/create → 201, or 207 with errors.
func (s *Server) batchCreateProperties(c *call) {
	var in struct {
		Inputs []propertyCreate `json:"inputs"`
	}
	if !s.decode(c, &in) {
		return
	}
	c.inputs = len(in.Inputs)
	if !s.checkBatchSize(c, len(in.Inputs)) {
		return
	}
	started := isoTime(s.now())
	ps, ok := s.lockStore(c)
	if !ok {
		return
	}
	results := []property{}
	var errs []standardError
	for _, pc := range in.Inputs {
		p, status, category, msg := s.validateProperty(ps, pc)
		if status != 0 {
			errs = append(errs, newStandardError(category, msg, map[string][]string{"name": {pc.Name}}))
			continue
		}
		ps.add(p)
		c.write = true
		results = append(results, p)
	}
	shuffle(s, results)
	s.mu.Unlock()
	writeBatchResponse(s, c, http.StatusCreated, started, results, errs)
}

// POST /crm/v3/properties/{objectType}/batch/read → 200, or 207 when some are missing.
func (s *Server) batchReadProperties(c *call) {
	var in struct {
		Inputs []struct {
			Name string `json:"name"`
		} `json:"inputs"`
		Archived bool `json:"archived"`
	}
	if !s.decode(c, &in) {
		return
	}
	c.inputs = len(in.Inputs)
	started := isoTime(s.now())
	ps, ok := s.lockStore(c)
	if !ok {
		return
	}
	results := []property{}
	var missing []string
	for _, i := range in.Inputs {
		if p, ok := ps.props[i.Name]; ok && p.Archived == in.Archived {
			results = append(results, *p)
		} else {
			missing = append(missing, i.Name)
		}
	}
	shuffle(s, results)
	s.mu.Unlock()
	var errs []standardError
	if len(missing) > 0 {
		errs = append(errs, newStandardError("OBJECT_NOT_FOUND", "Could not find some properties: "+strings.Join(missing, ", "),
			map[string][]string{"names": missing}))
	}
	writeBatchResponse(s, c, http.StatusOK, started, results, errs)
}

// GET /crm/v3/properties/{objectType}/groups
func (s *Server) listGroups(c *call) {
	listStored(s, c, func(ps *propertyStore) ([]string, map[string]*propertyGroup) { return ps.gorder, ps.groups },
		func(*propertyGroup) bool { return true })
}

// GET /crm/v3/properties/{objectType}/groups/{groupName}
func (s *Server) getGroup(c *call) {
	getStored(s, c, "groupName", func(ps *propertyStore) map[string]*propertyGroup { return ps.groups },
		func(name string) (string, func(*errorBody)) {
			return fmt.Sprintf("Property group %s does not exist.", name), nil
		})
}

// POST /crm/v3/properties/{objectType}/groups
func (s *Server) createGroup(c *call) {
	var in struct {
		Name         string `json:"name"`
		Label        string `json:"label"`
		DisplayOrder *int   `json:"displayOrder"`
	}
	if !s.decode(c, &in) {
		return
	}
	if msg := unsetFields(required{"name", in.Name == ""}, required{"label", in.Label == ""}); msg != "" {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", msg, nil)
		return
	}
	if !namePattern.MatchString(in.Name) {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Property group name %q is invalid: use lower-case letters, digits and _, starting with a letter", in.Name), nil)
		return
	}
	ps, ok := s.lockStore(c)
	if !ok {
		return
	}
	if _, exists := ps.groups[in.Name]; exists {
		s.mu.Unlock()
		s.writeError(c, http.StatusConflict, "OBJECT_ALREADY_EXISTS",
			fmt.Sprintf("Property group named '%s' already exists.", in.Name),
			func(b *errorBody) { b.Context = map[string][]string{"name": {in.Name}} })
		return
	}
	g := propertyGroup{Name: in.Name, Label: in.Label, DisplayOrder: -1}
	if in.DisplayOrder != nil {
		g.DisplayOrder = *in.DisplayOrder
	}
	ps.addGroup(g)
	c.write = true
	s.mu.Unlock()
	s.writeJSON(c, http.StatusCreated, g)
}

// propertyRoutes are the properties and groups operations (reference §5).
func propertyRoutes() []route {
	const base = "/crm/v3/properties/{objectType}"
	return []route{
		{pattern: "GET " + base, h: (*Server).listProperties},
		{pattern: "POST " + base, h: (*Server).createProperty},
		{pattern: "POST " + base + "/batch/create", h: (*Server).batchCreateProperties},
		{pattern: "POST " + base + "/batch/read", h: (*Server).batchReadProperties},
		{pattern: "GET " + base + "/{propertyName}", h: (*Server).getProperty},
		{pattern: "GET " + base + "/groups", h: (*Server).listGroups},
		{pattern: "POST " + base + "/groups", h: (*Server).createGroup},
		{pattern: "GET " + base + "/groups/{groupName}", h: (*Server).getGroup},
	}
}
