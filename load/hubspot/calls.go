package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// CallsService creates and updates call records — zoomsync's recordings and
// transcripts — associated with contacts (reference §8). Calls have no
// natural key: callers keep the ids of the calls they created, send each
// only once and update it by id afterwards.
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

// CallUpdate is new property values for one existing call. Properties not
// named keep their values.
type CallUpdate struct {
	ID string // the call's record id
	// ObjectWriteTraceID ties the input to its result or error; BatchUpdate
	// sets "update-<n>" when empty.
	ObjectWriteTraceID string
	Properties         map[string]string
}

// CallOutcome is what happened to one CallInput or CallUpdate.
type CallOutcome struct {
	// Input is the input as sent (trace id filled in); for an update it
	// holds the trace id and the properties.
	Input CallInput
	// CallID is the call created or updated; empty when Err is set.
	CallID string
	Err    *BatchError
}

// orEmpty is m, or an empty map for nil: HubSpot requires "properties".
func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// objectID and associationSpec are the spec's PublicObjectId and
// AssociationSpec.
type (
	objectID struct {
		ID string `json:"id"`
	}
	associationSpec struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int    `json:"associationTypeId"`
	}
)

// callToContact is the association types of a call → contact link.
var callToContact = []associationSpec{{"HUBSPOT_DEFINED", AssocCallToContact}}

// callBatch is the answer of a calls batch write.
type callBatch struct {
	Results []*Call       `json:"results"`
	Errors  []*BatchError `json:"errors"`
}

// BatchCreate creates up to 100 calls and returns one outcome per input, in
// input order, matched by objectWriteTraceId (results are not in input
// order). Every input carries a unique trace id, so an invalid input fails
// alone (207) instead of failing the batch. A failure of the whole request
// returns an error and no outcomes. The request is retried only on 429 and
// 423 (NoResend); after a transport error or a 5xx it is not resent, since
// HubSpot may have created the calls without the answer arriving.
//
// HubSpot API: POST /crm/v3/objects/calls/batch/create
func (s *CallsService) BatchCreate(ctx context.Context, in []CallInput) ([]CallOutcome, *Response, error) {
	if len(in) == 0 {
		return nil, nil, nil
	}
	if len(in) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: calls batch create: %d inputs, at most %d per call", len(in), MaxBatchInputs)
	}
	rows := slices.Clone(in)
	traces, err := fillTraceIDs(len(rows), func(i int) *string { return &rows[i].ObjectWriteTraceID }, "call")
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: calls batch create: %w", err)
	}
	type assoc struct {
		To    objectID          `json:"to"`
		Types []associationSpec `json:"types"`
	}
	type input struct {
		ObjectWriteTraceID string            `json:"objectWriteTraceId"`
		Properties         map[string]string `json:"properties"`
		Associations       []assoc           `json:"associations"`
	}
	inputs := make([]input, len(rows))
	for i, r := range rows {
		x := input{ObjectWriteTraceID: r.ObjectWriteTraceID, Properties: orEmpty(r.Properties), Associations: []assoc{}}
		for _, id := range r.ContactIDs {
			x.Associations = append(x.Associations, assoc{objectID{id}, callToContact})
		}
		inputs[i] = x
	}
	// Not resent after a lost answer: HubSpot may have created the calls.
	var res callBatch
	resp, err := s.post(ctx, callsPath+"/batch/create", inputs, &res, NoResend())
	if err != nil {
		return nil, resp, err
	}
	return callOutcomes(rows, nil, traces, &res), resp, nil
}

// BatchUpdate sets properties of up to 100 existing calls and returns one
// outcome per input, in input order, matched by objectWriteTraceId, else by
// call id. Every input carries a unique trace id, so an invalid input or an
// unknown call fails alone (207). A failure of the whole request returns an
// error and no outcomes: nothing was updated. Associations are not touched:
// see AssociateContacts.
//
// HubSpot API: POST /crm/v3/objects/calls/batch/update
func (s *CallsService) BatchUpdate(ctx context.Context, in []CallUpdate) ([]CallOutcome, *Response, error) {
	if len(in) == 0 {
		return nil, nil, nil
	}
	if len(in) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: calls batch update: %d inputs, at most %d per call", len(in), MaxBatchInputs)
	}
	rows := slices.Clone(in)
	seen := make(map[string]int, len(rows))
	for i, r := range rows {
		if r.ID == "" {
			return nil, nil, fmt.Errorf("hubspot: calls batch update: input %d has no call id", i)
		}
		if j, dup := seen[r.ID]; dup {
			return nil, nil, fmt.Errorf("hubspot: calls batch update: inputs %d and %d both update call %s", j, i, r.ID)
		}
		seen[r.ID] = i
	}
	traces, err := fillTraceIDs(len(rows), func(i int) *string { return &rows[i].ObjectWriteTraceID }, "update")
	if err != nil {
		return nil, nil, fmt.Errorf("hubspot: calls batch update: %w", err)
	}
	type input struct {
		ID                 string            `json:"id"`
		ObjectWriteTraceID string            `json:"objectWriteTraceId"`
		Properties         map[string]string `json:"properties"`
	}
	inputs := make([]input, len(rows))
	asCreate := make([]CallInput, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		props := orEmpty(r.Properties)
		inputs[i] = input{r.ID, r.ObjectWriteTraceID, props}
		asCreate[i] = CallInput{ObjectWriteTraceID: r.ObjectWriteTraceID, Properties: props}
		ids[i] = r.ID
	}
	var res callBatch
	resp, err := s.post(ctx, callsPath+"/batch/update", inputs, &res)
	if err != nil {
		return nil, resp, err
	}
	return callOutcomes(asCreate, ids, traces, &res), resp, nil
}

// post sends {"inputs": inputs} to a batch route and decodes the answer
// into res.
func (s *CallsService) post(ctx context.Context, path string, inputs any, res any, opts ...RequestOption) (*Response, error) {
	req, err := s.client.NewRequest(ctx, http.MethodPost, path, nil, struct {
		Inputs any `json:"inputs"`
	}{inputs}, opts...)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, res)
}

// callOutcomes pairs a batch answer with its inputs: results by
// objectWriteTraceId, else by call id (ids[i] is input i's call, updates
// only); errors by the trace ids, else the call ids, they name. An input
// named by neither gets a MISSING_RESULT error.
func callOutcomes(rows []CallInput, ids []string, traces map[string]int, res *callBatch) []CallOutcome {
	byID := make(map[string]int, len(ids))
	for i, id := range ids {
		byID[id] = i
	}
	out := make([]CallOutcome, len(rows))
	done := make([]bool, len(rows))
	for i, r := range rows {
		out[i].Input = r
	}
	find := func(trace, id string) (int, bool) {
		if i, ok := traces[trace]; ok && trace != "" && !done[i] {
			return i, true
		}
		i, ok := byID[id]
		return i, ok && id != "" && !done[i]
	}
	for _, c := range res.Results {
		if c == nil {
			continue
		}
		if i, ok := find(c.ObjectWriteTraceID, c.ID); ok {
			done[i], out[i].CallID = true, c.ID
		}
	}
	for _, e := range res.Errors {
		if e == nil {
			continue
		}
		for _, t := range traceIDs(e) {
			if i, ok := find(t, ""); ok {
				done[i], out[i].Err = true, e
			}
		}
		for _, id := range e.Context["ids"] {
			if i, ok := find("", id); ok {
				done[i], out[i].Err = true, e
			}
		}
	}
	for i := range out {
		if !done[i] {
			out[i].Err = missingResult()
		}
	}
	return out
}

// BatchRead reads up to 100 calls by id. missing holds the ids HubSpot
// reported as not found; other per-input errors are returned as an error
// along with what was found.
//
// HubSpot API: POST /crm/v3/objects/calls/batch/read
func (s *CallsService) BatchRead(ctx context.Context, ids, properties []string) (*ReadResult[*Call], *Response, error) {
	if len(ids) == 0 {
		return &ReadResult[*Call]{}, nil, nil
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
	resp, err := s.client.Do(req, &res)
	if err != nil {
		return nil, resp, err
	}
	out, err := readResult(res.Results, res.Errors)
	if err != nil {
		err = fmt.Errorf("hubspot: calls batch read: %w", err)
	}
	return out, resp, err
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

// CallContact is one call → contact association.
type CallContact struct {
	CallID, ContactID string
}

// AssociationOutcome is what happened to one CallContact.
type AssociationOutcome struct {
	Input CallContact
	Err   *BatchError // nil when the association exists
}

// AssociateContacts associates up to 100 (call, contact) pairs with type 194
// (call → contact) and returns one outcome per pair, in input order.
// Associating a pair that is already associated succeeds and changes
// nothing. A pair HubSpot refuses (an unknown call or contact: 207) fails
// alone; a failure of the whole request returns an error and no outcomes.
//
// No OpenAPI file for associations v4 is kept in the reference (§13 lists it
// upstream only): the shapes here follow HubSpot's published v4 spec —
// inputs [{from:{id}, to:{id}, types:[{associationCategory,
// associationTypeId}]}], 201 (200 since 2025) with results
// [{fromObjectId, toObjectId, labels, …}], 207 adding errors[] whose
// context names the refused object (objectId, objectType).
//
// HubSpot API: POST /crm/v4/associations/calls/contacts/batch/create
func (s *CallsService) AssociateContacts(ctx context.Context, pairs []CallContact) ([]AssociationOutcome, *Response, error) {
	if len(pairs) == 0 {
		return nil, nil, nil
	}
	if len(pairs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: call associations: %d pairs, at most %d per call", len(pairs), MaxBatchInputs)
	}
	type input struct {
		From  objectID          `json:"from"`
		To    objectID          `json:"to"`
		Types []associationSpec `json:"types"`
	}
	inputs := make([]input, len(pairs))
	for i, p := range pairs {
		if p.CallID == "" || p.ContactID == "" {
			return nil, nil, fmt.Errorf("hubspot: call associations: pair %d needs a call id and a contact id", i)
		}
		inputs[i] = input{objectID{p.CallID}, objectID{p.ContactID}, callToContact}
	}
	var res struct {
		Results []struct {
			FromObjectID string `json:"fromObjectId"`
			ToObjectID   string `json:"toObjectId"`
		} `json:"results"`
		Errors []*BatchError `json:"errors"`
	}
	resp, err := s.post(ctx, "crm/v4/associations/calls/contacts/batch/create", inputs, &res)
	if err != nil {
		return nil, resp, err
	}
	out := make([]AssociationOutcome, len(pairs))
	done := make([]bool, len(pairs))
	for i, p := range pairs {
		out[i].Input = p
	}
	for _, r := range res.Results {
		for i, p := range pairs {
			if !done[i] && p.CallID == r.FromObjectID && p.ContactID == r.ToObjectID {
				done[i] = true
			}
		}
	}
	// An error names the object it refuses: a call fails every pair from
	// it, a contact every pair to it.
	for _, e := range res.Errors {
		if e == nil {
			continue
		}
		kind := strings.ToUpper(strings.Join(e.Context["objectType"], ""))
		for _, id := range e.Context["objectId"] {
			for i, p := range pairs {
				hit := (kind != "CONTACT" && p.CallID == id) || (kind != "CALL" && p.ContactID == id)
				if !done[i] && hit {
					done[i], out[i].Err = true, e
				}
			}
		}
	}
	for i := range out {
		if !done[i] {
			out[i].Err = missingResult()
		}
	}
	return out, resp, nil
}
