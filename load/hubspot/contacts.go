package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/internal/paging"
)

// ContactsService reads and writes contacts.
type ContactsService service

// Contact is a contact record (HubSpot's SimplePublicObject). All property
// values are strings.
type Contact struct {
	ID                 string            `json:"id"`
	Properties         map[string]string `json:"properties"`
	CreatedAt          time.Time         `json:"createdAt,omitzero"`
	UpdatedAt          time.Time         `json:"updatedAt,omitzero"`
	Archived           bool              `json:"archived"`
	ArchivedAt         time.Time         `json:"archivedAt,omitzero"`
	New                bool              `json:"new,omitempty"` // upsert: true when the record was created
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
}

// UpsertInput is one row of a batch upsert.
type UpsertInput struct {
	// ID is the key value: the email when IDProperty is "email".
	ID string `json:"id"`
	// IDProperty is "email" (the default when empty) or a custom property
	// with hasUniqueValue.
	IDProperty string `json:"idProperty"`
	// ObjectWriteTraceID ties the row to its result or error; BatchUpsert
	// sets "row-<n>" (n = index in the batch) when empty.
	ObjectWriteTraceID string            `json:"objectWriteTraceId"`
	Properties         map[string]string `json:"properties"`
}

// BatchError is one entry of a batch answer's errors[].
type BatchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	Message     string              `json:"message"`
	SubCategory string              `json:"subCategory,omitempty"`
	Context     map[string][]string `json:"context,omitempty"`
	Errors      []ErrorDetail       `json:"errors,omitempty"`
	// ID is set by some endpoints to the input the error belongs to.
	ID string `json:"id,omitempty"`
}

// String renders the error as "CATEGORY/subCategory: message". (BatchError
// is deliberately not an error: RowOutcome.Err is nil for written rows, and a
// nil *BatchError in an error interface would not compare equal to nil.)
func (e *BatchError) String() string {
	s := e.Category
	if e.SubCategory != "" {
		s += "/" + e.SubCategory
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// BatchResult is the body of a batch answer (200, 201 or 207).
type BatchResult struct {
	Status      string        `json:"status"`
	Results     []*Contact    `json:"results"`
	Errors      []*BatchError `json:"errors,omitempty"`
	NumErrors   int           `json:"numErrors,omitempty"`
	StartedAt   time.Time     `json:"startedAt,omitzero"`
	CompletedAt time.Time     `json:"completedAt,omitzero"`
	// HTTPStatus is the answer's status code (207 when some inputs failed).
	HTTPStatus int `json:"-"`
}

// RowOutcome pairs an input with what happened to it.
type RowOutcome struct {
	// Input is the row as sent (ObjectWriteTraceID and IDProperty filled in).
	Input UpsertInput
	// ContactID is the contact written; empty when Err is set.
	ContactID string
	// Created is true when the upsert made a new contact.
	Created bool
	// Err is nil when the row was written.
	Err *BatchError
}

// UnmarshalJSON lets a BatchError decode context values of any shape.
func (e *BatchError) UnmarshalJSON(b []byte) error {
	var raw struct {
		Status      string                     `json:"status"`
		Category    string                     `json:"category"`
		Message     string                     `json:"message"`
		SubCategory any                        `json:"subCategory"`
		Context     map[string]json.RawMessage `json:"context"`
		Errors      []ErrorDetail              `json:"errors"`
		ID          any                        `json:"id"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*e = BatchError{
		Status: raw.Status, Category: raw.Category, Message: raw.Message,
		SubCategory: anyString(raw.SubCategory), Context: decodeContext(raw.Context),
		Errors: raw.Errors, ID: anyString(raw.ID),
	}
	return nil
}

const contactsPath = "crm/v3/objects/contacts"

// BatchUpsert creates or updates up to 100 contacts by IDProperty and
// returns one outcome per input, in input order. Results come back in no
// particular order, so they are matched by objectWriteTraceId, then by the
// lower-cased key. Every input carries a unique objectWriteTraceId so that
// an invalid row fails alone (207) instead of failing the batch (400).
//
// A failure of the whole request — duplicate keys in the batch (400), 401,
// retries spent — returns an error and no outcomes: nothing was written.
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/upsert
func (s *ContactsService) BatchUpsert(ctx context.Context, inputs []UpsertInput) ([]RowOutcome, *Response, error) {
	if len(inputs) == 0 {
		return nil, nil, nil
	}
	if len(inputs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: batch upsert: %d inputs, at most %d per call", len(inputs), MaxBatchInputs)
	}
	rows := make([]UpsertInput, len(inputs))
	copy(rows, inputs)
	for i, in := range rows {
		if in.IDProperty == "" {
			rows[i].IDProperty = "email"
		}
		if in.Properties == nil {
			rows[i].Properties = map[string]string{}
		}
	}
	if _, err := fillTraceIDs(len(rows), func(i int) *string { return &rows[i].ObjectWriteTraceID }, "row"); err != nil {
		return nil, nil, fmt.Errorf("hubspot: batch upsert: %w", err)
	}

	req, err := s.client.NewRequest(ctx, http.MethodPost, contactsPath+"/batch/upsert", nil,
		struct {
			Inputs []UpsertInput `json:"inputs"`
		}{rows})
	if err != nil {
		return nil, nil, err
	}
	var res BatchResult
	resp, err := s.client.Do(req, &res)
	if err != nil {
		return nil, resp, err
	}
	res.HTTPStatus = resp.StatusCode
	return matchUpsert(rows, &res), resp, nil
}

// matchUpsert pairs results and errors with the rows they belong to.
func matchUpsert(rows []UpsertInput, res *BatchResult) []RowOutcome {
	out := make([]RowOutcome, len(rows))
	byTrace := make(map[string]int, len(rows))
	byKey := make(map[string]int, len(rows))
	for i, in := range rows {
		out[i].Input = in
		byTrace[in.ObjectWriteTraceID] = i
		byKey[in.IDProperty+"\x00"+normKey(in.ID)] = i
	}
	idProps := make(map[string]bool)
	for _, in := range rows {
		idProps[in.IDProperty] = true
	}
	done := make([]bool, len(rows))
	find := func(trace string, props map[string]string) int {
		if i, ok := byTrace[trace]; ok && trace != "" && !done[i] {
			return i
		}
		for idp := range idProps {
			v, ok := props[idp]
			if !ok {
				continue
			}
			if i, ok := byKey[idp+"\x00"+normKey(v)]; ok && !done[i] && rows[i].IDProperty == idp {
				return i
			}
		}
		return -1
	}
	for _, c := range res.Results {
		if c == nil {
			continue
		}
		i := find(c.ObjectWriteTraceID, c.Properties)
		if i < 0 {
			continue
		}
		done[i] = true
		out[i].ContactID = c.ID
		out[i].Created = c.New
	}
	for _, e := range res.Errors {
		if e == nil {
			continue
		}
		matched := false
		for _, trace := range traceIDs(e) {
			if i, ok := byTrace[trace]; ok && !done[i] {
				done[i], out[i].Err, matched = true, e, true
			}
		}
		if matched {
			continue
		}
		// No trace id in the error: fall back to the keys it names.
		keys := append([]string{e.ID}, e.Context["ids"]...)
		for _, id := range keys {
			for i, in := range rows {
				if !done[i] && id != "" && normKey(in.ID) == normKey(id) {
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
	return out
}

// traceIDs returns the objectWriteTraceIds a batch error names.
// fillTraceIDs gives every input of a batch an objectWriteTraceId, so that
// HubSpot answers an invalid input with a 207 for that input instead of a
// 400 for the batch, and returns the index of each. trace(i) points at the
// i-th input's trace id; an empty one becomes "<prefix>-<i>" (suffixed when
// the caller already uses that id). Two inputs sharing an id are refused:
// their results could not be told apart.
func fillTraceIDs(n int, trace func(i int) *string, prefix string) (map[string]int, error) {
	index := make(map[string]int, n)
	for i := range n {
		t := *trace(i)
		if t == "" {
			continue
		}
		if j, dup := index[t]; dup {
			return nil, fmt.Errorf("inputs %d and %d share objectWriteTraceId %q", j, i, t)
		}
		index[t] = i
	}
	for i := range n {
		t := trace(i)
		if *t != "" {
			continue
		}
		id := prefix + "-" + strconv.Itoa(i)
		for k := 2; ; k++ {
			if _, taken := index[id]; !taken {
				break
			}
			id = prefix + "-" + strconv.Itoa(i) + "-" + strconv.Itoa(k)
		}
		*t, index[id] = id, i
	}
	return index, nil
}

func traceIDs(e *BatchError) []string {
	var ids []string
	for k, v := range e.Context {
		if strings.EqualFold(k, "objectWriteTraceId") || strings.EqualFold(k, "objectWriteTraceIds") {
			ids = append(ids, v...)
		}
	}
	return ids
}

func normKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// BatchReadRequest selects contacts to read.
type BatchReadRequest struct {
	// IDProperty is "email" or a unique property; empty reads by record id.
	IDProperty string
	// IDs are the key values, at most 100.
	IDs []string
	// Properties to return; empty returns HubSpot's defaults.
	Properties []string
	// Archived reads only archived contacts.
	Archived bool
}

// ReadResult is the answer of a batch read: Found holds the objects read
// (in no particular order), Missing the keys HubSpot reported as not found
// (207 OBJECT_NOT_FOUND).
type ReadResult[T any] struct {
	Found   []T
	Missing []string
}

// readResult sorts a batch read's answer into a ReadResult; input errors
// other than not found are returned as an error along with it.
func readResult[T comparable](results []T, errs []*BatchError) (*ReadResult[T], error) {
	var zero T
	out := &ReadResult[T]{Found: make([]T, 0, len(results))}
	var others []string
	for _, e := range errs {
		if e == nil {
			continue
		}
		if e.Category == "OBJECT_NOT_FOUND" {
			out.Missing = append(out.Missing, e.Context["ids"]...)
			continue
		}
		others = append(others, e.String())
	}
	for _, r := range results {
		if r != zero {
			out.Found = append(out.Found, r)
		}
	}
	if len(others) > 0 {
		return out, fmt.Errorf("%d input errors: %s", len(others), strings.Join(others, "; "))
	}
	return out, nil
}

// BatchRead reads up to 100 contacts by key. A secondary email resolves to
// its contact, so map Found back through email and hs_additional_emails.
// Input errors other than not found are returned as an error along with
// what was read.
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/read?archived=
func (s *ContactsService) BatchRead(ctx context.Context, r BatchReadRequest) (*ReadResult[*Contact], *Response, error) {
	if len(r.IDs) == 0 {
		return &ReadResult[*Contact]{}, nil, nil
	}
	if len(r.IDs) > MaxBatchInputs {
		return nil, nil, fmt.Errorf("hubspot: batch read: %d ids, at most %d per call", len(r.IDs), MaxBatchInputs)
	}
	type input struct {
		ID string `json:"id"`
	}
	body := struct {
		IDProperty            string   `json:"idProperty,omitempty"`
		Inputs                []input  `json:"inputs"`
		Properties            []string `json:"properties"`
		PropertiesWithHistory []string `json:"propertiesWithHistory"`
	}{IDProperty: r.IDProperty, Properties: r.Properties, PropertiesWithHistory: []string{}}
	if body.Properties == nil {
		body.Properties = []string{}
	}
	for _, id := range r.IDs {
		body.Inputs = append(body.Inputs, input{id})
	}
	q := url.Values{"archived": {strconv.FormatBool(r.Archived)}}
	req, err := s.client.NewRequest(ctx, http.MethodPost, contactsPath+"/batch/read", q, body)
	if err != nil {
		return nil, nil, err
	}
	var res BatchResult
	resp, err := s.client.Do(req, &res)
	if err != nil {
		return nil, resp, err
	}
	out, err := readResult(res.Results, res.Errors)
	if err != nil {
		err = fmt.Errorf("hubspot: batch read: %w", err)
	}
	return out, resp, err
}

// ListOptions selects a page of contacts.
type ListOptions struct {
	// Limit is the page size, at most 100; 0 means 100.
	Limit int
	// After is the paging cursor from the previous page; empty starts over.
	After string
	// Properties to return; empty returns HubSpot's defaults.
	Properties []string
	// Archived lists only archived contacts.
	Archived bool
}

// List returns one page of contacts; resp.After is the cursor of the next
// page (empty on the last page).
//
// HubSpot API: GET /crm/v3/objects/contacts
func (s *ContactsService) List(ctx context.Context, opts *ListOptions) ([]*Contact, *Response, error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit <= 0 || o.Limit > 100 {
		o.Limit = 100
	}
	q := url.Values{"limit": {strconv.Itoa(o.Limit)}}
	if o.After != "" {
		q.Set("after", o.After)
	}
	if len(o.Properties) > 0 {
		q.Set("properties", strings.Join(o.Properties, ","))
	}
	if o.Archived {
		q.Set("archived", "true")
	}
	req, err := s.client.NewRequest(ctx, http.MethodGet, contactsPath, q, nil)
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Results []*Contact `json:"results"`
		Paging  *pageInfo  `json:"paging"`
	}
	resp, err := s.client.Do(req, &page)
	if err != nil {
		return nil, resp, err
	}
	resp.After = page.Paging.nextAfter()
	return page.Results, resp, nil
}

// ListIter walks every page of contacts from opts.After on. opts is not
// modified. On an error it yields (nil, err) once and stops.
func (s *ContactsService) ListIter(ctx context.Context, opts *ListOptions) iter.Seq2[*Contact, error] {
	var o ListOptions
	if opts != nil {
		o = *opts
		o.Properties = slices.Clone(opts.Properties)
	}
	return paging.All(o.After, func(after string) ([]*Contact, string, error) {
		o.After = after
		return pageOf(s.List(ctx, &o))
	})
}

// pageInfo is the paging object of list answers.
type pageInfo struct {
	Next *struct {
		After string `json:"after"`
	} `json:"next"`
}

func (p *pageInfo) nextAfter() string {
	if p == nil || p.Next == nil {
		return ""
	}
	return p.Next.After
}

// pageOf adapts a List method's answer to a paging.Fetch.
func pageOf[T any](items []T, resp *Response, err error) ([]T, string, error) {
	if err != nil {
		return nil, "", err
	}
	return items, resp.After, nil
}
