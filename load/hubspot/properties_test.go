package hubspot

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

func zoomGroup() *PropertyGroup {
	return &PropertyGroup{Name: "zoom_webinars", Label: "Zoom webinars", DisplayOrder: -1}
}

// zoomProperties are the contact properties of DESIGN.md "What the CRM receives".
func zoomProperties() []*Property {
	return []*Property{
		{Name: "zoom_average_webinar_attendance_percent", Label: "Zoom: average attendance %", Type: "number", FieldType: "number"},
		{Name: "zoom_last_registered_webinar_url", Label: "Zoom: last registered webinar", Type: "string", FieldType: "text"},
		{Name: "zoom_total_webinar_registrations", Label: "Zoom: webinar registrations", Type: "number", FieldType: "number"},
		{Name: "zoom_total_webinars_attended", Label: "Zoom: webinars attended", Type: "number", FieldType: "number"},
	}
}

func posts(srv *hubspottest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost {
			n++
		}
	}
	return n
}

func TestPropertiesService_Ensure_createsOnceThenIdempotent(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	props := zoomProperties()
	created, _, err := c.Properties.Ensure(t.Context(), "contacts", zoomGroup(), props)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	wantNames := []string{
		"zoom_average_webinar_attendance_percent", "zoom_last_registered_webinar_url",
		"zoom_total_webinar_registrations", "zoom_total_webinars_attended",
	}
	if !slices.Equal(created, wantNames) {
		t.Errorf("created = %v, want %v", created, wantNames)
	}
	if !slices.Contains(srv.Groups("contacts"), "zoom_webinars") {
		t.Errorf("group zoom_webinars not in simulator: %v", srv.Groups("contacts"))
	}
	have := map[string]hubspottest.PropertyDef{}
	for _, p := range srv.Properties("contacts") {
		have[p.Name] = p
	}
	for _, p := range props {
		got, ok := have[p.Name]
		if !ok {
			t.Errorf("property %s not created", p.Name)
			continue
		}
		if got.Type != p.Type || got.FieldType != p.FieldType || got.GroupName != "zoom_webinars" || got.Label != p.Label {
			t.Errorf("property %s = %+v", p.Name, got)
		}
	}
	if props[0].GroupName != "" {
		t.Errorf("Ensure modified the caller's property: %+v", props[0])
	}
	if got := posts(srv); got != 5 {
		t.Errorf("%d POSTs on first Ensure, want 5 (group + 4 properties)", got)
	}

	srv.ResetRequests()
	created, _, err = c.Properties.Ensure(t.Context(), "contacts", zoomGroup(), zoomProperties())
	if err != nil {
		t.Fatalf("second Ensure: %v", err)
	}
	if len(created) != 0 {
		t.Errorf("second Ensure created %v", created)
	}
	if got := posts(srv); got != 0 {
		t.Errorf("%d POSTs on second Ensure, want 0: %+v", got, srv.Requests())
	}
}

// raceTransport creates a property through another client just before the
// first POST for it goes out, as a concurrent run would.
type raceTransport struct {
	once  sync.Once
	other *Client
	prop  *Property
}

func (rt *raceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var err error
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/crm/v3/properties/contacts") {
		rt.once.Do(func() { _, _, err = rt.other.Properties.Create(req.Context(), "contacts", rt.prop) })
	}
	if err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestPropertiesService_Ensure_conflictRaceCountsAsPresent(t *testing.T) {
	t.Parallel()
	srv, other := setup(t, nil)
	if _, _, err := other.Properties.CreateGroup(t.Context(), "contacts", zoomGroup()); err != nil {
		t.Fatal(err)
	}
	props := zoomProperties()
	raced := *props[0]
	raced.GroupName = "zoom_webinars"
	rt := &raceTransport{other: other, prop: &raced}
	c := NewClient(WithBaseURL(srv.URL), WithToken(testToken), WithTier("unlimited"),
		WithHTTPClient(&http.Client{Transport: rt}))

	created, _, err := c.Properties.Ensure(t.Context(), "contacts", zoomGroup(), props)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if want := []string{props[1].Name, props[2].Name, props[3].Name}; !slices.Equal(created, want) {
		t.Errorf("created = %v, want %v (the raced one counts as present)", created, want)
	}
	var conflicts int
	for _, r := range srv.Requests() {
		if r.Status == http.StatusConflict {
			conflicts++
		}
	}
	if conflicts != 1 {
		t.Errorf("%d 409 answers, want 1", conflicts)
	}
}

func TestPropertiesService_Ensure_raceWithOtherKindFails(t *testing.T) {
	t.Parallel()
	srv, other := setup(t, nil)
	props := zoomProperties()
	raced := &Property{Name: props[0].Name, Label: "x", Type: "string", FieldType: "text", GroupName: "contactinformation"}
	c := NewClient(WithBaseURL(srv.URL), WithToken(testToken), WithTier("unlimited"),
		WithHTTPClient(&http.Client{Transport: &raceTransport{other: other, prop: raced}}))
	_, _, err := c.Properties.Ensure(t.Context(), "contacts", zoomGroup(), props)
	if err == nil || !strings.Contains(err.Error(), props[0].Name) {
		t.Fatalf("err = %v, want an error naming %s", err, props[0].Name)
	}
}

func TestPropertiesService_Ensure_typeMismatch(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	if _, _, err := c.Properties.Create(t.Context(), "contacts", &Property{
		Name: "zoom_total_webinars_attended", Label: "old", Type: "string", FieldType: "text", GroupName: "contactinformation",
	}); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	_, _, err := c.Properties.Ensure(t.Context(), "contacts", zoomGroup(), zoomProperties())
	if err == nil {
		t.Fatal("Ensure succeeded over a property of another type")
	}
	for _, want := range []string{`"zoom_total_webinars_attended"`, `"string"`, `"number"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if got := posts(srv); got != 0 {
		t.Errorf("%d POSTs after a mismatch, want 0", got)
	}
}

func TestPropertiesService_CreateGroup_conflict(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	g, _, err := c.Properties.CreateGroup(t.Context(), "contacts", zoomGroup())
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if g.Name != "zoom_webinars" || g.Label != "Zoom webinars" {
		t.Errorf("group = %+v", g)
	}
	_, _, err = c.Properties.CreateGroup(t.Context(), "contacts", zoomGroup())
	var apiErr *APIError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict {
		t.Fatalf("second CreateGroup: err = %v, want *APIError 409", err)
	}
}

func TestPropertiesService_Create_conflictAndGet(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	p := &Property{Name: "zoom_x", Label: "X", Type: "number", FieldType: "number", GroupName: "contactinformation"}
	got, _, err := c.Properties.Create(t.Context(), "contacts", p)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got.Name != "zoom_x" || got.Type != "number" || got.CreatedAt.IsZero() {
		t.Errorf("created = %+v", got)
	}
	if _, _, err := c.Properties.Create(t.Context(), "contacts", p); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate Create: err = %v, want ErrConflict", err)
	}
	if _, _, err := c.Properties.Get(t.Context(), "contacts", "zoom_x"); err != nil {
		t.Errorf("Get: %v", err)
	}
	if _, _, err := c.Properties.Get(t.Context(), "contacts", "zoom_absent"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get absent: err = %v, want ErrNotFound", err)
	}
}

func TestPropertiesService_Ensure_rejectsBadInput(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	tests := []struct {
		name  string
		props []*Property
	}{
		{"no type", []*Property{{Name: "zoom_a", FieldType: "number"}}},
		{"listed twice", []*Property{
			{Name: "zoom_a", Type: "number", FieldType: "number"},
			{Name: "zoom_a", Type: "number", FieldType: "number"},
		}},
	}
	for _, tt := range tests {
		if _, _, err := c.Properties.Ensure(t.Context(), "contacts", zoomGroup(), tt.props); err == nil {
			t.Errorf("%s: Ensure succeeded", tt.name)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests for invalid input, want 0", n)
	}
}
