package hubspottest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// response is a finished call to the simulator.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic map.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return m
}

func newTestServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// send sends method path with body (marshalled unless it is a string or
// []byte) and the bearer token; token "" sends no Authorization header.
func send(t *testing.T, srv *Server, token, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// do calls with the default token.
func do(t *testing.T, srv *Server, method, path string, body any) response {
	t.Helper()
	return send(t, srv, DefaultToken, method, path, body)
}

type m = map[string]any

// upsertBody builds a batch upsert body keyed by email.
func upsertBody(inputs ...m) m {
	list := make([]m, len(inputs))
	for i, in := range inputs {
		if _, ok := in["idProperty"]; !ok {
			in["idProperty"] = "email"
		}
		if _, ok := in["properties"]; !ok {
			in["properties"] = m{}
		}
		list[i] = in
	}
	return m{"inputs": list}
}

// results returns the body's results as maps.
func results(t *testing.T, r response) []map[string]any {
	t.Helper()
	var body struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return body.Results
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.status, want, r.body)
	}
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
