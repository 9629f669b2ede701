package hubspot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// PropertiesService manages CRM property definitions and property groups.
type PropertiesService service

// PropertyGroup is a group properties are shown under.
type PropertyGroup struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
	Archived     bool   `json:"archived,omitempty"`
}

// PropertyOption is one allowed value of an enumeration property.
type PropertyOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder,omitempty"`
	Hidden       bool   `json:"hidden"`
}

// ModificationMetadata says what HubSpot lets anyone change on a property.
type ModificationMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

// Property is a CRM property definition. Create sends only the fields of
// HubSpot's PropertyCreate; the rest are read-only.
type Property struct {
	Name              string           `json:"name"`
	Label             string           `json:"label"`
	Type              string           `json:"type"`      // string, number, date, datetime, enumeration, bool
	FieldType         string           `json:"fieldType"` // text, textarea, number, date, select, booleancheckbox, …
	GroupName         string           `json:"groupName"`
	Description       string           `json:"description,omitempty"`
	Options           []PropertyOption `json:"options,omitempty"`
	DisplayOrder      int              `json:"displayOrder,omitempty"`
	HasUniqueValue    bool             `json:"hasUniqueValue,omitempty"`
	Hidden            bool             `json:"hidden,omitempty"`
	FormField         bool             `json:"formField,omitempty"`
	NumberDisplayHint string           `json:"numberDisplayHint,omitempty"`

	// Read-only.
	HubspotDefined       bool                  `json:"hubspotDefined,omitempty"`
	Calculated           bool                  `json:"calculated,omitempty"`
	Archived             bool                  `json:"archived,omitempty"`
	ModificationMetadata *ModificationMetadata `json:"modificationMetadata,omitempty"`
	CreatedAt            time.Time             `json:"createdAt,omitzero"`
	UpdatedAt            time.Time             `json:"updatedAt,omitzero"`
}

// propertyCreate is the body of a create: HubSpot's PropertyCreate fields only.
type propertyCreate struct {
	Name              string           `json:"name"`
	Label             string           `json:"label"`
	Type              string           `json:"type"`
	FieldType         string           `json:"fieldType"`
	GroupName         string           `json:"groupName"`
	Description       string           `json:"description,omitempty"`
	Options           []PropertyOption `json:"options,omitempty"`
	DisplayOrder      int              `json:"displayOrder,omitempty"`
	HasUniqueValue    bool             `json:"hasUniqueValue,omitempty"`
	Hidden            bool             `json:"hidden,omitempty"`
	FormField         bool             `json:"formField"`
	NumberDisplayHint string           `json:"numberDisplayHint,omitempty"`
}

func propertiesPath(objectType string, rest ...string) string {
	p := "crm/v3/properties/" + url.PathEscape(objectType)
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// ListGroups returns the property groups of objectType.
//
// HubSpot API: GET /crm/v3/properties/{objectType}/groups
func (s *PropertiesService) ListGroups(ctx context.Context, objectType string) ([]*PropertyGroup, *Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodGet, propertiesPath(objectType, "groups"), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Results []*PropertyGroup `json:"results"`
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Results, resp, nil
}

// CreateGroup creates a property group. A group that already exists answers
// 409: an *APIError for which errors.Is(err, ErrConflict).
//
// HubSpot API: POST /crm/v3/properties/{objectType}/groups
func (s *PropertiesService) CreateGroup(ctx context.Context, objectType string, g *PropertyGroup) (*PropertyGroup, *Response, error) {
	if g == nil || g.Name == "" {
		return nil, nil, errors.New("hubspot: create property group: name is required")
	}
	body := struct {
		Name         string `json:"name"`
		Label        string `json:"label"`
		DisplayOrder int    `json:"displayOrder"`
	}{g.Name, g.Label, g.DisplayOrder}
	if body.Label == "" {
		body.Label = g.Name
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, propertiesPath(objectType, "groups"), nil, body)
	if err != nil {
		return nil, nil, err
	}
	out := new(PropertyGroup)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// List returns the (unarchived) properties of objectType.
//
// HubSpot API: GET /crm/v3/properties/{objectType}
func (s *PropertiesService) List(ctx context.Context, objectType string) ([]*Property, *Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodGet, propertiesPath(objectType), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Results []*Property `json:"results"`
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Results, resp, nil
}

// Get returns one property; an absent (or archived) one is an *APIError for
// which errors.Is(err, ErrNotFound).
//
// HubSpot API: GET /crm/v3/properties/{objectType}/{propertyName}
func (s *PropertiesService) Get(ctx context.Context, objectType, name string) (*Property, *Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodGet, propertiesPath(objectType, name), nil, nil)
	if err != nil {
		return nil, nil, err
	}
	out := new(Property)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// Create creates a property. A name already taken answers 409 (ErrConflict).
//
// HubSpot API: POST /crm/v3/properties/{objectType}
func (s *PropertiesService) Create(ctx context.Context, objectType string, p *Property) (*Property, *Response, error) {
	if err := checkProperty(p); err != nil {
		return nil, nil, fmt.Errorf("hubspot: create property: %w", err)
	}
	body := propertyCreate{
		Name: p.Name, Label: p.Label, Type: p.Type, FieldType: p.FieldType, GroupName: p.GroupName,
		Description: p.Description, Options: p.Options, DisplayOrder: p.DisplayOrder,
		HasUniqueValue: p.HasUniqueValue, Hidden: p.Hidden, FormField: p.FormField,
		NumberDisplayHint: p.NumberDisplayHint,
	}
	if body.Label == "" {
		body.Label = p.Name
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, propertiesPath(objectType), nil, body)
	if err != nil {
		return nil, nil, err
	}
	out := new(Property)
	resp, err := s.client.Do(req, out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

func checkProperty(p *Property) error {
	switch {
	case p == nil:
		return errors.New("nil property")
	case p.Name == "":
		return errors.New("property name is required")
	case p.Type == "" || p.FieldType == "":
		return fmt.Errorf("property %q: type and fieldType are required", p.Name)
	case p.GroupName == "":
		return fmt.Errorf("property %q: groupName is required", p.Name)
	}
	return nil
}

// Ensure makes sure group g (when not nil) and props exist on objectType,
// creating what is missing, and returns the names of the properties it
// created (the group is not listed). A property without GroupName goes into
// g. A 409 on create (another run won the race) counts as present, after the
// existing definition is read back and compared.
//
// A property that exists with another type or fieldType is an error naming
// it; those are checked before anything is created, so a mismatch writes
// nothing. Existing properties are never modified.
func (s *PropertiesService) Ensure(ctx context.Context, objectType string, g *PropertyGroup, props []*Property) ([]string, *Response, error) {
	want, err := wantedProperties(objectType, g, props)
	if err != nil {
		return nil, nil, err
	}
	existing, groups, resp, err := s.listBoth(ctx, objectType, g)
	if err != nil {
		return nil, resp, err
	}
	byName := make(map[string]*Property, len(existing))
	for _, p := range existing {
		byName[p.Name] = p
	}
	var missing []*Property
	var mismatches []error
	for _, p := range want {
		have, ok := byName[p.Name]
		if !ok {
			missing = append(missing, p)
			continue
		}
		if err := sameKind(objectType, have, p); err != nil {
			mismatches = append(mismatches, err)
		}
	}
	if len(mismatches) > 0 {
		return nil, resp, errors.Join(mismatches...)
	}
	if g != nil && !slices.ContainsFunc(groups, func(have *PropertyGroup) bool { return have.Name == g.Name }) {
		if _, r, err := s.CreateGroup(ctx, objectType, g); err != nil && !errors.Is(err, ErrConflict) {
			return nil, cmp.Or(r, resp), fmt.Errorf("hubspot: ensure %s property group %q: %w", objectType, g.Name, err)
		}
	}
	return s.createMissing(ctx, objectType, missing, resp)
}

// listBoth lists the properties of objectType and, when g is set, its
// groups, at once (on a real network each is a round trip).
func (s *PropertiesService) listBoth(ctx context.Context, objectType string, g *PropertyGroup) ([]*Property, []*PropertyGroup, *Response, error) {
	var groups []*PropertyGroup
	var gerr error
	var wg sync.WaitGroup
	if g != nil {
		wg.Go(func() {
			groups, _, gerr = s.ListGroups(ctx, objectType)
		})
	}
	existing, resp, err := s.List(ctx, objectType)
	wg.Wait()
	if err != nil {
		return nil, nil, resp, fmt.Errorf("hubspot: ensure %s properties: listing properties: %w", objectType, err)
	}
	if gerr != nil {
		return nil, nil, resp, fmt.Errorf("hubspot: ensure %s property group %q: listing groups: %w", objectType, g.Name, gerr)
	}
	return existing, groups, resp, nil
}

// createMissing creates the missing properties, all at once (each create
// waits on the client's limiter), and returns the names of those it
// created, in the order of missing, with the first error in that order.
func (s *PropertiesService) createMissing(ctx context.Context, objectType string, missing []*Property, resp *Response) ([]string, *Response, error) {
	ok := make([]bool, len(missing))
	resps := make([]*Response, len(missing))
	errs := make([]error, len(missing))
	var wg sync.WaitGroup
	for i, p := range missing {
		wg.Go(func() { ok[i], resps[i], errs[i] = s.ensureOne(ctx, objectType, p) })
	}
	wg.Wait()
	var created []string
	var first error
	for i, p := range missing {
		resp = cmp.Or(resps[i], resp)
		first = cmp.Or(first, errs[i])
		if ok[i] {
			created = append(created, p.Name)
		}
	}
	return created, resp, first
}

// wantedProperties checks props and puts those without a group into g.
func wantedProperties(objectType string, g *PropertyGroup, props []*Property) ([]*Property, error) {
	want := make([]*Property, 0, len(props))
	seen := make(map[string]bool, len(props))
	for _, p := range props {
		if p != nil && p.GroupName == "" && g != nil {
			cp := *p
			cp.GroupName = g.Name
			p = &cp
		}
		if err := checkProperty(p); err != nil {
			return nil, fmt.Errorf("hubspot: ensure %s properties: %w", objectType, err)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("hubspot: ensure %s properties: property %q listed twice", objectType, p.Name)
		}
		seen[p.Name] = true
		want = append(want, p)
	}
	return want, nil
}

// ensureOne creates a missing property; created is false when a 409 says
// another run made it meanwhile, and it is of the same kind.
func (s *PropertiesService) ensureOne(ctx context.Context, objectType string, p *Property) (created bool, resp *Response, err error) {
	_, resp, err = s.Create(ctx, objectType, p)
	if err == nil {
		return true, resp, nil
	}
	if !errors.Is(err, ErrConflict) {
		return false, resp, fmt.Errorf("hubspot: ensure %s property %q: %w", objectType, p.Name, err)
	}
	have, resp, err := s.Get(ctx, objectType, p.Name)
	if err != nil {
		return false, resp, fmt.Errorf("hubspot: ensure %s property %q: create answered 409 but reading it failed (archived?): %w", objectType, p.Name, err)
	}
	return false, resp, sameKind(objectType, have, p)
}

func sameKind(objectType string, have, want *Property) error {
	if have.Type == want.Type && have.FieldType == want.FieldType {
		return nil
	}
	return fmt.Errorf("hubspot: %s property %q exists with type %q, fieldType %q; want type %q, fieldType %q (change or delete it in HubSpot)",
		objectType, want.Name, have.Type, have.FieldType, want.Type, want.FieldType)
}
