package hubspot

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/internal/httpretry"
)

// Sentinels that APIError.Is and RateLimitError.Is map to; compare with errors.Is.
var (
	ErrBadRequest    = errors.New("hubspot: bad request")                 // 400
	ErrValidation    = errors.New("hubspot: validation error")            // 400 VALIDATION_ERROR
	ErrUnauthorized  = errors.New("hubspot: unauthorized")                // 401
	ErrForbidden     = errors.New("hubspot: forbidden")                   // 403
	ErrMissingScopes = errors.New("hubspot: missing scopes")              // 403 MISSING_SCOPES
	ErrNotFound      = errors.New("hubspot: not found")                   // 404
	ErrConflict      = errors.New("hubspot: conflict")                    // 409
	ErrTooLarge      = errors.New("hubspot: request too large")           // 413, 414
	ErrLocked        = errors.New("hubspot: record locked")               // 423
	ErrRateLimited   = errors.New("hubspot: rate limited")                // any 429
	ErrDailyLimit    = errors.New("hubspot: daily request limit reached") // 429 DAILY, or Daily-Remaining 0
	ErrServer        = errors.New("hubspot: server error")                // 5xx

	// ErrPublicAppRequired: timeline events are accepted only with a public
	// app's OAuth token (WithOAuthToken); a private-app token gets 403.
	ErrPublicAppRequired = errors.New("hubspot: timeline events need a public app's OAuth token")
	// ErrNoDeveloperKey: timeline templates need WithDeveloperKey and WithApp.
	ErrNoDeveloperKey = errors.New("hubspot: timeline templates need a developer API key and an app id")

	// ErrUnknownOutcome: a write was sent but its answer was lost (a
	// transport error of a NoResend request, or a 2xx body that could not be
	// read): HubSpot may or may not have carried it out.
	ErrUnknownOutcome = errors.New("hubspot: outcome unknown")
)

// DecodeError is a 2xx answer whose body could not be decoded (cut off,
// malformed). For a write it Is ErrUnknownOutcome: HubSpot answered 2xx, so
// it probably carried the write out, but what it answered is not known.
type DecodeError struct {
	Method, Path string
	StatusCode   int
	Err          error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("hubspot: decoding %s %s answer (%d): %v", e.Method, e.Path, e.StatusCode, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports ErrUnknownOutcome for a write (any method but GET).
func (e *DecodeError) Is(target error) bool {
	return target == ErrUnknownOutcome && e.Method != http.MethodGet
}

// Rate-limit policies named by a 429's policyName.
const (
	PolicyTenSecondly = "TEN_SECONDLY_ROLLING"
	PolicySecondly    = "SECONDLY"
	PolicyDaily       = "DAILY"
)

// ErrorDetail is one entry of an error body's errors[].
type ErrorDetail struct {
	Message     string              `json:"message"`
	Code        string              `json:"code,omitempty"`
	In          string              `json:"in,omitempty"`
	SubCategory string              `json:"subCategory,omitempty"`
	Context     map[string][]string `json:"context,omitempty"`
}

// UnmarshalJSON accepts context values that are not arrays of strings.
func (d *ErrorDetail) UnmarshalJSON(b []byte) error {
	var raw struct {
		Message     string                     `json:"message"`
		Code        any                        `json:"code"`
		In          string                     `json:"in"`
		SubCategory any                        `json:"subCategory"`
		Context     map[string]json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*d = ErrorDetail{
		Message:     raw.Message,
		Code:        anyString(raw.Code),
		In:          raw.In,
		SubCategory: anyString(raw.SubCategory),
		Context:     decodeContext(raw.Context),
	}
	return nil
}

// APIError is a non-2xx answer other than a 429. Its text names the call, the
// status, HubSpot's category and message; never the token.
type APIError struct {
	StatusCode    int
	Category      string
	SubCategory   string
	Message       string
	CorrelationID string
	Context       map[string][]string
	Errors        []ErrorDetail
	Method, Path  string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hubspot: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Category != "" {
		b.WriteString(" " + e.Category)
	}
	if e.SubCategory != "" {
		b.WriteString("/" + e.SubCategory)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation id " + e.CorrelationID + ")")
	}
	return b.String()
}

// Is maps the status and category to the package's sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrValidation:
		return e.Category == "VALIDATION_ERROR"
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrMissingScopes:
		return e.Category == "MISSING_SCOPES"
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrTooLarge:
		return e.StatusCode == http.StatusRequestEntityTooLarge || e.StatusCode == http.StatusRequestURITooLong
	case ErrLocked:
		return e.StatusCode == http.StatusLocked
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// RateLimitError is a 429 (after retries, for the burst policies), or a call
// refused before sending because the daily quota is spent.
type RateLimitError struct {
	Policy        string // TEN_SECONDLY_ROLLING, SECONDLY, DAILY, or "" when the body named none
	Message       string
	CorrelationID string
	// RetryAfter is the Retry-After header, when the answer had one.
	RetryAfter   time.Duration
	Method, Path string
}

func (e *RateLimitError) Error() string {
	policy := e.Policy
	if policy == "" {
		policy = "unknown policy"
	}
	s := fmt.Sprintf("hubspot: %s %s: rate limited (%s)", e.Method, e.Path, policy)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.CorrelationID != "" {
		s += " (correlation id " + e.CorrelationID + ")"
	}
	return s
}

// Is reports ErrRateLimited for every RateLimitError and ErrDailyLimit for
// the DAILY policy.
func (e *RateLimitError) Is(target error) bool {
	return target == ErrRateLimited || (target == ErrDailyLimit && e.Policy == PolicyDaily)
}

// errorBody is HubSpot's error body, 429 fields included.
type errorBody struct {
	Status        string                     `json:"status"`
	Message       string                     `json:"message"`
	CorrelationID string                     `json:"correlationId"`
	Category      string                     `json:"category"`
	SubCategory   any                        `json:"subCategory"`
	Context       map[string]json.RawMessage `json:"context"`
	Errors        []ErrorDetail              `json:"errors"`
	PolicyName    string                     `json:"policyName"`
	ErrorType     string                     `json:"errorType"`
}

// CheckResponse returns nil for a 2xx answer, a *RateLimitError for a 429 and
// an *APIError otherwise. It reads at most 1 MiB of the body.
func (c *Client) CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	method, path := "", ""
	if resp.Request != nil {
		method, path = resp.Request.Method, resp.Request.URL.Path
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body errorBody
	decodeErr := json.Unmarshal(data, &body)
	if body.CorrelationID == "" {
		body.CorrelationID = resp.Header.Get("X-HubSpot-Correlation-Id")
	}
	msg := body.Message
	if decodeErr != nil && msg == "" {
		msg = strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
	}
	msg = c.redact(msg)
	if resp.StatusCode == http.StatusTooManyRequests {
		after, _ := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return &RateLimitError{
			Policy:        strings.ToUpper(body.PolicyName),
			Message:       msg,
			CorrelationID: body.CorrelationID,
			RetryAfter:    after,
			Method:        method,
			Path:          path,
		}
	}
	for i := range body.Errors {
		body.Errors[i].Message = c.redact(body.Errors[i].Message)
	}
	return &APIError{
		StatusCode:    resp.StatusCode,
		Category:      body.Category,
		SubCategory:   anyString(body.SubCategory),
		Message:       msg,
		CorrelationID: body.CorrelationID,
		Context:       decodeContext(body.Context),
		Errors:        body.Errors,
		Method:        method,
		Path:          path,
	}
}

// decodeContext turns HubSpot's context (documented as map → array of
// strings) into strings whatever the JSON value is.
func decodeContext(raw map[string]json.RawMessage) map[string][]string {
	if len(raw) == 0 {
		return nil
	}
	out := make(map[string][]string, len(raw))
	for k, v := range raw {
		var ss []string
		if json.Unmarshal(v, &ss) == nil {
			out[k] = ss
			continue
		}
		ss = nil
		var xs []any
		if json.Unmarshal(v, &xs) == nil {
			for _, x := range xs {
				ss = append(ss, anyString(x))
			}
			out[k] = ss
			continue
		}
		var x any
		if json.Unmarshal(v, &x) == nil && x != nil {
			out[k] = []string{anyString(x)}
		}
	}
	return out
}

// anyString renders a decoded JSON scalar; objects come back as JSON text.
func anyString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// peekLimit bounds how much of a 429 body Classify reads to find policyName.
const peekLimit = 64 << 10

// Classify is the retry decision for a single answer, as the first of its
// call (see classifier.classify for the rules).
func Classify(resp *http.Response, err error) httpretry.Decision {
	return new(classifier).classify(resp, err)
}

// classifier is the httpretry.Classifier of one call (Client.Do makes one
// per call): it counts the call's 429s to grow its waits, and knows whether
// the request may be resent.
type classifier struct {
	noResend              bool
	burst429, secondly429 int
}

// classify decides on one answer of the call:
//
//   - transport errors (resets, timeouts of one attempt): retry;
//   - 500, 502, 503, 504: retry with backoff, Retry-After honoured;
//   - neither of the two for a NoResend write (event template create),
//     which the first attempt may have carried out;
//   - 423 Locked (many writes to one record): retry after at least 2 s;
//   - 429 TEN_SECONDLY_ROLLING (or no policy named): retry after Retry-After
//     when given, else after 10 s × the number of such 429s in this call (HubSpot's
//     SDKs do the same; the rolling window frees up within 10 s);
//   - 429 SECONDLY (search): Retry-After, else 1 s × count;
//   - 429 DAILY: never retried — the quota comes back at midnight.
//
// To read policyName it peeks at most 64 KiB of a 429 body and puts the body
// back, so the caller can still decode it. Every wait is capped by the
// transport's MaxWait.
func (c *classifier) classify(resp *http.Response, err error) httpretry.Decision {
	if err != nil {
		var le *limiterError
		var ue *unsureError
		if errors.As(err, &le) || errors.As(err, &ue) {
			return httpretry.Decision{}
		}
		return httpretry.Decision{Retry: true, Reason: "transport error"}
	}
	retryAfter, hasRetryAfter := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if c.noResend {
			return httpretry.Decision{Reason: strconv.Itoa(resp.StatusCode) + " of a write that is not resent"}
		}
		return httpretry.Decision{Retry: true, After: retryAfter, Reason: strconv.Itoa(resp.StatusCode)}
	case http.StatusLocked:
		return httpretry.Decision{Retry: true, After: max(retryAfter, 2*time.Second), Reason: "423 locked"}
	case http.StatusTooManyRequests:
	default:
		return httpretry.Decision{}
	}

	switch policy := peekPolicy(resp); policy {
	case PolicyDaily:
		return httpretry.Decision{Reason: "429 " + PolicyDaily}
	case PolicySecondly:
		c.secondly429++
		if !hasRetryAfter {
			retryAfter = time.Duration(c.secondly429) * time.Second
		}
		return httpretry.Decision{Retry: true, After: retryAfter, Reason: "429 " + PolicySecondly}
	default:
		c.burst429++
		if !hasRetryAfter {
			window := 10 * time.Second
			if ms, err := strconv.Atoi(resp.Header.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
				window = time.Duration(ms) * time.Millisecond
			}
			retryAfter = time.Duration(c.burst429) * window
		}
		return httpretry.Decision{Retry: true, After: retryAfter, Reason: "429 " + cmp.Or(policy, "unknown policy")}
	}
}

// peekPolicy reads the policyName of a 429 body and restores the body.
func peekPolicy(resp *http.Response) string {
	if resp.Body == nil || resp.Body == http.NoBody {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body = &restoredBody{Reader: io.MultiReader(bytes.NewReader(data), resp.Body), closer: resp.Body}
	if err != nil {
		return ""
	}
	var body struct {
		PolicyName string `json:"policyName"`
	}
	if json.Unmarshal(data, &body) != nil {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(body.PolicyName))
}

type restoredBody struct {
	io.Reader
	closer io.Closer
}

func (b *restoredBody) Close() error { return b.closer.Close() }
