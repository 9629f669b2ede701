package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CallsService creates call records — zoomsync's recordings and transcripts
// — associated with contacts (reference §8). Calls have no natural key:
// callers keep the ids of the calls they created and send each only once.
type CallsService service

const callsPath = "crm/v3/objects/calls"

// AssocCallToContact is the HUBSPOT_DEFINED association type call → contact.
const AssocCallToContact = 194

// Call is a call record. All property values are strings.
type Call struct {
	ID                 string            `json:"id"`
	Properties         map[string]string `json:"properties"`
	CreatedAt          time.Time         `json:"createdAt,omitzero"`
	UpdatedAt          time.Time         `json:"updatedAt,omitzero"`
	Archived           bool              `json:"archived"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
	// ContactIDs are the associated contacts (Get only).
	ContactIDs []string `json:"-"`
}

// CallInput is one call to create.
type CallInput struct {
	// ObjectWriteTraceID ties the input to its result or error; BatchCreate
	// sets "call-<n>" when empty.
	ObjectWriteTraceID string
	// Properties must hold hs_timestamp (epoch ms or ISO 8601); usual others:
	// hs_call_title, hs_call_body, hs_call_recording_url (HTTPS),
	// hs_call_duration (ms), hs_call_direction, hs_call_status.
	Properties map[string]string
	// ContactIDs are associated with type 194 (call → contact); an unknown
	// id fails the input.
	ContactIDs []string
}

// CallOutcome is what happened to one CallInput.
type CallOutcome struct {
	Input CallInput
	// CallID is the created call; empty when Err is set.
	CallID string
	Err    *BatchError
}

// BatchCreate creates up to 100 calls and returns one outcome per input, in
// input order, matched by objectWriteTraceId (results are not in input
// order). Every input carries a unique trace id, so an invalid input fails
// alone (207) instead of failing the batch. A failure of the whole request
// returns an error and no outcomes: nothing was created.
//
// HubSpot API: POST /crm/v3/objects/calls/batch/create
func (s *CallsService) BatchCreate(ctx context.Context, in []CallInput) ([]CallOutcome, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > MaxBatchInputs {
		return nil, fmt.Errorf("hubspot: calls batch create: %d inputs, at most %d per call", len(in), MaxBatchInputs)
	}
	rows := make([]CallInput, len(in))
	copy(rows, in)
	traces := make(map[string]int, len(rows))
	for i, r := range rows {
		if r.ObjectWriteTraceID == "" {
			continue
		}
		if j, dup := traces[r.ObjectWriteTraceID]; dup {
			return nil, fmt.Errorf("hubspot: calls batch create: inputs %d and %d share objectWriteTraceId %q", j, i, r.ObjectWriteTraceID)
		}
		traces[r.ObjectWriteTraceID] = i
	}
	for i := range rows {
		if rows[i].ObjectWriteTraceID != "" {
			continue
		}
		id := "call-" + strconv.Itoa(i)
		for n := 2; ; n++ {
			if _, taken := traces[id]; !taken {
				break
			}
			id = "call-" + strconv.Itoa(i) + "-" + strconv.Itoa(n)
		}
		rows[i].ObjectWriteTraceID = id
		traces[id] = i
	}
	type spec struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int    `json:"associationTypeId"`
	}
	type assoc struct {
		To struct {
			ID string `json:"id"`
		} `json:"to"`
		Types []spec `json:"types"`
	}
	type input struct {
		ObjectWriteTraceID string            `json:"objectWriteTraceId"`
		Properties         map[string]string `json:"properties"`
		Associations       []assoc           `json:"associations"`
	}
	inputs := make([]input, len(rows))
	for i, r := range rows {
		props := r.Properties
		if props == nil {
			props = map[string]string{}
		}
		x := input{ObjectWriteTraceID: r.ObjectWriteTraceID, Properties: props, Associations: []assoc{}}
		for _, id := range r.ContactIDs {
			var a assoc
			a.To.ID = id
			a.Types = []spec{{"HUBSPOT_DEFINED", AssocCallToContact}}
			x.Associations = append(x.Associations, a)
		}
		inputs[i] = x
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, callsPath+"/batch/create", nil,
		struct {
			Inputs []input `json:"inputs"`
		}{inputs})
	if err != nil {
		return nil, err
	}
	var res struct {
		Results []*Call       `json:"results"`
		Errors  []*BatchError `json:"errors"`
	}
	if _, err := s.client.Do(req, &res); err != nil {
		return nil, err
	}
	out := make([]CallOutcome, len(rows))
	done := make([]bool, len(rows))
	for i, r := range rows {
		out[i].Input = r
	}
	for _, c := range res.Results {
		if c == nil {
			continue
		}
		if i, ok := traces[c.ObjectWriteTraceID]; ok && !done[i] {
			done[i], out[i].CallID = true, c.ID
		}
	}
	for _, e := range res.Errors {
		if e == nil {
			continue
		}
		for _, t := range traceIDs(e) {
			if i, ok := traces[t]; ok && !done[i] {
				done[i], out[i].Err = true, e
			}
		}
	}
	for i := range out {
		if !done[i] {
			out[i].Err = missingResult()
		}
	}
	return out, nil
}

// BatchRead reads up to 100 calls by id. missing holds the ids HubSpot
// reported as not found; other per-input errors are returned as an error
// along with what was found.
//
// HubSpot API: POST /crm/v3/objects/calls/batch/read
func (s *CallsService) BatchRead(ctx context.Context, ids, properties []string) (found []*Call, missing []string, err error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	if len(ids) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: calls batch read: %d ids, at most %d per call", len(ids), MaxBatchInputs)
	}
	type input struct {
		ID string `json:"id"`
	}
	body := struct {
		Inputs                []input  `json:"inputs"`
		Properties            []string `json:"properties"`
		PropertiesWithHistory []string `json:"propertiesWithHistory"`
	}{Properties: append([]string{}, properties...), PropertiesWithHistory: []string{}}
	for _, id := range ids {
		body.Inputs = append(body.Inputs, input{id})
	}
	req, err := s.client.NewRequest(ctx, http.MethodPost, callsPath+"/batch/read", nil, body)
	if err != nil {
		return nil, nil, err
	}
	var res struct {
		Results []*Call       `json:"results"`
		Errors  []*BatchError `json:"errors"`
	}
	if _, err := s.client.Do(req, &res); err != nil {
		return nil, nil, err
	}
	var others []string
	for _, e := range res.Errors {
		if e == nil {
			continue
		}
		if e.Category == "OBJECT_NOT_FOUND" {
			missing = append(missing, e.Context["ids"]...)
			continue
		}
		others = append(others, e.String())
	}
	for _, c := range res.Results {
		if c != nil {
			found = append(found, c)
		}
	}
	if len(others) > 0 {
		return found, missing, fmt.Errorf("hubspot: calls batch read: %d input errors: %s", len(others), strings.Join(others, "; "))
	}
	return found, missing, nil
}

// Get reads one call with the named properties and its associated contacts.
//
// HubSpot API: GET /crm/v3/objects/calls/{callId}?associations=contacts
func (s *CallsService) Get(ctx context.Context, id string, properties []string) (*Call, *Response, error) {
	q := url.Values{"associations": {"contacts"}}
	if len(properties) > 0 {
		q.Set("properties", strings.Join(properties, ","))
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet, callsPath+"/"+url.PathEscape(id), q, nil)
	if err != nil {
		return nil, nil, err
	}
	var body struct {
		Call
		Associations map[string]struct {
			Results []struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			} `json:"results"`
		} `json:"associations"`
	}
	resp, err := s.client.Do(req, &body)
	if err != nil {
		return nil, resp, err
	}
	out := body.Call
	seen := map[string]bool{}
	for _, r := range body.Associations["contacts"].Results {
		if !seen[r.ID] {
			seen[r.ID] = true
			out.ContactIDs = append(out.ContactIDs, r.ID)
		}
	}
	return &out, resp, nil
}
