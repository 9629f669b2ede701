package zoom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Zoom error codes the client gives meaning to (zoom-api.md §3).
const (
	codeInvalidToken       = 124
	codeNoPermission       = 200
	codeValidation         = 300
	codeUserNotFound       = 1001
	codeNoRegistration     = 3000
	codeWebinarNotFound    = 3001
	codeHostCannotRegister = 3027
	codeWebinarOver        = 3038
	codeNoRecording        = 3301
	codeMissingScope       = 4711
	codeMissingScopeLegacy = 4700
	codeReportTooOld       = 12702
)

// Sentinels for errors.Is. An *APIError or *RateLimitError matches them; the
// typed error still carries the details (errors.As).
var (
	// ErrBadRequest: any 400 (a validation failure, a report window Zoom
	// does not serve, an expired page token…).
	ErrBadRequest = errors.New("zoom: bad request")
	// ErrNotFound: any 404 (webinar, user, instance or recording unknown).
	ErrNotFound = errors.New("zoom: not found")
	// ErrWebinarNotFound: code 3001, webinar unknown or expired, or an
	// instance not held or not yet reported.
	ErrWebinarNotFound = errors.New("zoom: webinar not found")
	// ErrUserNotFound: code 1001.
	ErrUserNotFound = errors.New("zoom: user not found")
	// ErrTokenInvalid: 401 code 124, the access token is invalid or expired
	// (and a fresh token was refused too).
	ErrTokenInvalid = errors.New("zoom: access token invalid")
	// ErrBadCredentials: the token endpoint refused the app's credentials,
	// account id or grant.
	ErrBadCredentials = errors.New("zoom: credentials refused")
	// ErrMissingScope: the token lacks a scope the endpoint needs (4711, 4700).
	ErrMissingScope = errors.New("zoom: token lacks scope")
	// ErrNoPermission: code 200, no permission or a paid plan is needed.
	ErrNoPermission = errors.New("zoom: no permission")
	// ErrPageTokenInvalid: code 300 about next_page_token (they expire
	// after 15 minutes); restart the listing.
	ErrPageTokenInvalid = errors.New("zoom: next page token invalid or expired")
	// ErrReportTooOld: code 12702, report older than one year.
	ErrReportTooOld = errors.New("zoom: report too old")
	// ErrNoRecording: code 3301.
	ErrNoRecording = errors.New("zoom: no recording")
	// ErrRateLimited: any *RateLimitError.
	ErrRateLimited = errors.New("zoom: rate limited")
	// ErrDailyLimit: a *RateLimitError of type Daily-limit. Calls of its
	// category fail with it, without being sent, until its Reset.
	ErrDailyLimit = errors.New("zoom: daily rate limit reached")
	// ErrValidation: code 300 other than an expired page token (a missing
	// or invalid field; APIError.Errors names the fields).
	ErrValidation = errors.New("zoom: validation failed")
	// ErrNoRegistration: code 3000, the webinar takes no registration, is
	// full, needs paid registration, or refuses this registrant.
	ErrNoRegistration = errors.New("zoom: registration refused")
	// ErrHostCannotRegister: code 3027, the registrant's email is the host's.
	ErrHostCannotRegister = errors.New("zoom: host cannot register")
	// ErrWebinarOver: code 3038, the webinar is over.
	ErrWebinarOver = errors.New("zoom: webinar is over")
	// ErrRegistrantDailyCap: a *RegistrantLimitError. It concerns one
	// registrant's email only: nothing else is stopped.
	ErrRegistrantDailyCap = errors.New("zoom: registrant daily cap reached")
	// ErrDownloadTooLarge: a recording file's body exceeds the maxBytes
	// given to RecordingsService.Download.
	ErrDownloadTooLarge = errors.New("zoom: download exceeds the size limit")
)

// FieldError is one entry of a validation error's "errors" list.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// APIError is a non-2xx answer from Zoom: HTTP status plus Zoom's own code,
// which is what tells "webinar not found" from "no permission".
type APIError struct {
	StatusCode int
	Code       int
	Message    string
	// Method and Path name the request; Path is the escaped path, without
	// query string.
	Method string
	Path   string
	Errors []FieldError

	tokenEndpoint bool // answered by the OAuth token endpoint
	hop           int  // Download: the redirect hop that answered (0: the download_url itself)
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "zoom: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Code != 0 {
		fmt.Fprintf(&b, " code %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for _, fe := range e.Errors {
		fmt.Fprintf(&b, "; %s: %s", fe.Field, fe.Message)
	}
	return b.String()
}

// Is reports whether e matches one of the package's sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrWebinarNotFound:
		return e.Code == codeWebinarNotFound
	case ErrUserNotFound:
		return e.Code == codeUserNotFound
	case ErrTokenInvalid:
		return e.StatusCode == http.StatusUnauthorized && e.Code == codeInvalidToken
	case ErrBadCredentials:
		return e.tokenEndpoint && e.StatusCode >= 400 && e.StatusCode < 500
	case ErrMissingScope:
		return e.Code == codeMissingScope || e.Code == codeMissingScopeLegacy
	case ErrNoPermission:
		return e.Code == codeNoPermission
	case ErrPageTokenInvalid:
		return e.Code == codeValidation && strings.Contains(strings.ToLower(e.Message), "page token")
	case ErrReportTooOld:
		return e.Code == codeReportTooOld
	case ErrNoRecording:
		return e.Code == codeNoRecording
	case ErrValidation:
		return e.Code == codeValidation && !e.Is(ErrPageTokenInvalid)
	case ErrNoRegistration:
		return e.Code == codeNoRegistration
	case ErrHostCannotRegister:
		return e.Code == codeHostCannotRegister
	case ErrWebinarOver:
		return e.Code == codeWebinarOver
	}
	return false
}

// RegistrantLimitError is the 429 of POST /webinars/{webinarId}/registrants
// for one registrant: Zoom caps the registration requests per email and day
// (zoom-api.md §4). Unlike a *RateLimitError of type Daily-limit it stops
// nothing else: other registrants and other calls of the Light label go on.
type RegistrantLimitError struct {
	// Limit is the cap Zoom names in its message (0 when it names none).
	Limit int
	// Reset is the next 00:00 UTC, when Zoom lets the email register again.
	Reset   time.Time
	Message string
	Method  string
	Path    string
}

func (e *RegistrantLimitError) Error() string {
	return fmt.Sprintf("zoom: %s %s: registrant daily cap reached, resets %s: %s",
		e.Method, e.Path, e.Reset.UTC().Format(time.RFC3339), e.Message)
}

// Is matches ErrRegistrantDailyCap.
func (e *RegistrantLimitError) Is(target error) bool { return target == ErrRegistrantDailyCap }

// registrantCapMessage matches Zoom's per-registrant 429: `You have exceeded
// the daily rate limit of "3" for Add a webinar registrant API requests for
// the registrant "a@b.com" ...`.
var registrantCapMessage = regexp.MustCompile(`(?i)daily rate limit of "?(\d*)"? .*for the registrant`)

// RateLimitError is a 429 answer: a per-second limit still hit after the
// retries, or a daily limit (never retried).
type RateLimitError struct {
	Category Category
	// Type is "QPS" or "Daily-limit".
	Type      string
	Limit     int
	Remaining int
	// Reset is when calls may resume: Retry-After when Zoom sent one; for a
	// daily limit without it, the next 00:00 UTC.
	Reset   time.Time
	Message string
	// Method and Path name the request that was refused.
	Method string
	Path   string
}

func (e *RateLimitError) Error() string {
	s := fmt.Sprintf("zoom: %s %s: %s rate limit (%s) reached", e.Method, e.Path, e.Category, e.Type)
	if e.Limit > 0 {
		s += fmt.Sprintf(", %d of %d left", e.Remaining, e.Limit)
	}
	if !e.Reset.IsZero() {
		s += ", resets " + e.Reset.UTC().Format(time.RFC3339)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches ErrRateLimited, and ErrDailyLimit for a daily limit.
func (e *RateLimitError) Is(target error) bool {
	switch target {
	case ErrRateLimited:
		return true
	case ErrDailyLimit:
		return e.Type == RateLimitTypeDaily
	}
	return false
}

// errorBody is Zoom's error body: {"code":..,"message":..,"errors":[..]}.
type errorBody struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []FieldError `json:"errors"`
}

// checkResponse turns a non-2xx answer into *APIError or *RateLimitError and
// records a daily limit. A 3xx that was not followed counts as an error.
func (c *Client) checkResponse(req *http.Request, resp *http.Response, rl RateLimit) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if rl.Type == RateLimitTypeDaily && rl.Remaining == 0 && rl.Limit > 0 {
			// Zoom says the daily pool is empty: fail the next calls early.
			c.markExhausted(&RateLimitError{Category: rl.Category, Type: rl.Type, Limit: rl.Limit,
				Reset: c.dailyReset(rl.Reset), Method: req.Method, Path: req.URL.EscapedPath(),
				Message: "daily quota used up"})
		}
		return nil
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	var eb errorBody
	if err := json.Unmarshal(raw, &eb); err != nil || (eb.Code == 0 && eb.Message == "") {
		eb.Message = strings.TrimSpace(string(raw))
		if len(eb.Message) > 200 {
			eb.Message = eb.Message[:200] + "..."
		}
		if eb.Message == "" {
			eb.Message = http.StatusText(resp.StatusCode)
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if m := registrantCapMessage.FindStringSubmatch(eb.Message); m != nil {
			// Per registrant: its headers describe the account's bucket,
			// which is not exhausted, so nothing is marked.
			n, _ := strconv.Atoi(m[1])
			return &RegistrantLimitError{Limit: n, Reset: c.dailyReset(time.Time{}), Message: eb.Message,
				Method: req.Method, Path: req.URL.EscapedPath()}
		}
		e := &RateLimitError{
			Category:  rl.Category,
			Type:      rl.Type,
			Limit:     rl.Limit,
			Remaining: rl.Remaining,
			Reset:     rl.Reset,
			Message:   eb.Message,
			Method:    req.Method,
			Path:      req.URL.EscapedPath(),
		}
		if e.Type == "" {
			e.Type = RateLimitTypeQPS
			if isDailyMessage(eb.Message) {
				e.Type = RateLimitTypeDaily
			}
		}
		if e.Type == RateLimitTypeDaily {
			e.Reset = c.dailyReset(e.Reset)
			c.markExhausted(e)
		}
		return e
	}
	return &APIError{
		StatusCode: resp.StatusCode,
		Code:       eb.Code,
		Message:    eb.Message,
		Method:     req.Method,
		Path:       req.URL.EscapedPath(),
		Errors:     eb.Errors,
	}
}

func isDailyMessage(msg string) bool {
	return strings.Contains(strings.ToLower(msg), "daily")
}

// dailyReset is reset, or the next 00:00 UTC when Zoom did not say.
func (c *Client) dailyReset(reset time.Time) time.Time {
	now := c.now().UTC()
	if reset.After(now) {
		return reset
	}
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
