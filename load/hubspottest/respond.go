package hubspottest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// errorBody is the spec's Error schema plus the 429 extras (reference §2, §3).
type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
	ErrorType     string              `json:"errorType,omitempty"`
	PolicyName    string              `json:"policyName,omitempty"`
	RequestID     string              `json:"requestId,omitempty"`
}

// errorDetail is the spec's ErrorDetail schema.
type errorDetail struct {
	Message     string              `json:"message"`
	Code        string              `json:"code,omitempty"`
	In          string              `json:"in,omitempty"`
	SubCategory string              `json:"subCategory,omitempty"`
	Context     map[string][]string `json:"context,omitempty"`
}

// standardError is the spec's StandardError: one entry of a batch `errors[]`.
type standardError struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context"`
	Errors   []errorDetail       `json:"errors"`
	Links    map[string]string   `json:"links"`
	ID       string              `json:"id,omitempty"`
}

func newStandardError(category, message string, context map[string][]string) standardError {
	if context == nil {
		context = map[string][]string{}
	}
	return standardError{Status: "error", Category: category, Message: message, Context: context,
		Errors: []errorDetail{}, Links: map[string]string{}}
}

func (s *Server) writeError(c *call, status int, category, message string, edit func(*errorBody)) {
	b := errorBody{Status: "error", Message: message, CorrelationID: c.corrID, Category: category}
	if edit != nil {
		edit(&b)
	}
	s.writeJSON(c, status, b)
}

func (s *Server) writeJSON(c *call, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(c.w, "hubspottest: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "application/json;charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
}

// decode parses the request body into v; on failure it answers 400 the way
// HubSpot does for unreadable JSON and returns false.
func (s *Server) decode(c *call, v any) bool {
	if len(bytes.TrimSpace(c.body)) == 0 {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: the request body is empty", nil)
		return false
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: "+err.Error(), nil)
		return false
	}
	return true
}

// shuffle reorders a batch's results (HubSpot does not keep input order).
func shuffle[T any](s *Server, xs []T) {
	s.rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// required is one required field of a request: its name and whether the
// request leaves it unset.
type required struct {
	name  string
	unset bool
}

// unsetFields is HubSpot's message naming, in the order given, the required
// fields a request leaves unset ("Some required fields were not set: [a,
// b]"); "" when none is.
func unsetFields(fields ...required) string {
	var names []string
	for _, f := range fields {
		if f.unset {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("Some required fields were not set: [%s]", strings.Join(names, ", "))
}
