package zoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/internal/httpretry"
)

// RecordingsService reads cloud recordings and downloads their files.
type RecordingsService service

// Recording is the cloud recording of one meeting or webinar instance
// (zoom-api.md §6.12).
type Recording struct {
	UUID      string `json:"uuid"`
	ID        int64  `json:"id"`
	AccountID string `json:"account_id"`
	HostID    string `json:"host_id"`
	Topic     string `json:"topic"`
	// Type is 5, 6 or 9 for webinars. Zoom's spec types it as a string
	// enum, real payloads send a number: both decode.
	Type           int       `json:"type"`
	StartTime      time.Time `json:"start_time"`
	Duration       int       `json:"duration"` // minutes
	TotalSize      int64     `json:"total_size"`
	RecordingCount int       `json:"recording_count"`
	// ShareURL is the recording's share link when Zoom sends one (the
	// spec of this endpoint does not list it).
	ShareURL       string           `json:"share_url"`
	RecordingFiles []*RecordingFile `json:"recording_files"`
}

// UnmarshalJSON tolerates string or numeric id, type and total_size, and ""
// times.
func (r *Recording) UnmarshalJSON(b []byte) error {
	type plain Recording
	var aux struct {
		*plain
		ID        jsonInt64 `json:"id"`
		Type      jsonInt64 `json:"type"`
		TotalSize jsonSize  `json:"total_size"`
		StartTime jsonTime  `json:"start_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.ID, r.Type, r.TotalSize = int64(aux.ID), int(aux.Type), int64(aux.TotalSize)
	r.StartTime = time.Time(aux.StartTime)
	return nil
}

// Recording file types (file_type) and the status of a finished file.
const (
	FileTypeMP4        = "MP4"
	FileTypeM4A        = "M4A"
	FileTypeTranscript = "TRANSCRIPT"
	FileTypeCC         = "CC"
	FileTypeTimeline   = "TIMELINE"
	FileTypeChat       = "CHAT"
	FileTypeCSV        = "CSV"
	FileTypeSummary    = "SUMMARY"

	RecordingStatusCompleted = "completed"
)

// RecordingFile is one file of a recording. CC and TIMELINE files come
// without ID, Status, FileSize, RecordingType and PlayURL.
type RecordingFile struct {
	ID             string    `json:"id"`
	MeetingID      string    `json:"meeting_id"` // the instance uuid
	RecordingStart time.Time `json:"recording_start"`
	RecordingEnd   time.Time `json:"recording_end"`
	FileType       string    `json:"file_type"`      // MP4, M4A, TRANSCRIPT, CC, TIMELINE, CHAT, CSV, SUMMARY…
	FileExtension  string    `json:"file_extension"` // MP4, M4A, VTT, JSON, TXT, CSV
	FileSize       int64     `json:"file_size"`      // bytes
	PlayURL        string    `json:"play_url"`
	DownloadURL    string    `json:"download_url"`
	Status         string    `json:"status"` // "completed"; anything else (e.g. "processing") is not ready
	RecordingType  string    `json:"recording_type"`
	DeletedTime    time.Time `json:"deleted_time"` // trash listings only
}

// UnmarshalJSON tolerates "" times and a file_size sent as a float or a
// string.
func (f *RecordingFile) UnmarshalJSON(b []byte) error {
	type plain RecordingFile
	var aux struct {
		*plain
		FileSize       jsonSize `json:"file_size"`
		RecordingStart jsonTime `json:"recording_start"`
		RecordingEnd   jsonTime `json:"recording_end"`
		DeletedTime    jsonTime `json:"deleted_time"`
	}
	aux.plain = (*plain)(f)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	f.FileSize = int64(aux.FileSize)
	f.RecordingStart, f.RecordingEnd = time.Time(aux.RecordingStart), time.Time(aux.RecordingEnd)
	f.DeletedTime = time.Time(aux.DeletedTime)
	return nil
}

// Ready reports whether the file can be downloaded: its status is
// "completed", or, for the CC and TIMELINE files Zoom lists without a
// status, it has a download_url. Any other status (Zoom's "processing": a
// transcript arrives later than the video) is not ready.
func (f *RecordingFile) Ready() bool {
	if f.Status == "" {
		return f.DownloadURL != "" && (f.FileType == FileTypeCC || f.FileType == FileTypeTimeline)
	}
	return strings.EqualFold(f.Status, RecordingStatusCompleted) && f.DownloadURL != ""
}

// Get returns the cloud recording of one instance, named by its uuid
// (double-encoded, EncodeUUID), or of the latest instance when given the
// numeric webinar id. An instance without a recording, or whose recording is
// in the trash, is errors.Is(err, ErrNoRecording) (code 3301).
//
// Zoom API: GET /meetings/{meetingId}/recordings
func (s *RecordingsService) Get(ctx context.Context, uuid string) (*Recording, *Response, error) {
	return requestValue[Recording](ctx, s.client, "GET", "meetings/"+EncodeUUID(uuid)+"/recordings", nil, nil)
}

// maxRedirects bounds the redirects a download follows.
const maxRedirects = 5

// Download fetches the file behind a recording file's download_url into w
// and returns the bytes written (zoom-api.md §6.14).
//
// The first request carries "Authorization: Bearer <token>"; Zoom answers
// 302 to a short-lived signed storage URL, which Download follows (at most 5
// hops) without the token: signed URLs carry their own credentials, so the
// token never leaves for the storage host. A 401 on the first request (token
// expired or replaced) drops the cached token and tries once more with a
// fresh one. Transport errors and 5xx are retried by the client's transport;
// downloads are not rate-limited API calls and do not wait for a label.
//
// Where the token may go: download_url may name a host other than the API
// and OAuth hosts (Zoom serves files from zoom.us), and such an https host
// does get the token. A plain-http download_url gets it only when its host is
// the configured API base's or OAuth endpoint's host (a simulator on
// loopback); any other http URL fails before anything is sent.
//
// At most maxBytes bytes are written (maxBytes <= 0: no limit); a larger
// body fails with ErrDownloadTooLarge, before any write when Content-Length
// says so, otherwise after maxBytes bytes were written. Errors name the host
// and path of the URL, never its query or the token; non-2xx answers are
// *APIError (errors.Is(err, ErrTokenInvalid) for a 401 that a fresh token did
// not cure, ErrNoRecording for Zoom's 3301). The *Response is the last hop's
// answer (its body closed); nil when nothing was answered.
func (s *RecordingsService) Download(ctx context.Context, downloadURL string, w io.Writer, maxBytes int64) (int64, *Response, error) {
	c := s.client
	if c.err != nil {
		return 0, nil, c.err
	}
	u, err := url.Parse(downloadURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return 0, nil, fmt.Errorf("zoom: download URL %q is not an absolute http(s) URL", redactURL(downloadURL))
	}
	if u.Scheme != "https" && !c.sameHost(u) {
		return 0, nil, fmt.Errorf("zoom: refusing to send the access token over plain http to %s", u.Host)
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.auth.token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return 0, nil, ctx.Err()
			}
			return 0, nil, err
		}
		n, resp, err := c.download(ctx, u, "Bearer "+tok.AccessToken, w, maxBytes)
		var apiErr *APIError
		if attempt == 0 && n == 0 && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized && apiErr.hop == 0 {
			c.logger.DebugContext(ctx, "zoom download token rejected, fetching a new one", "host", u.Host, "path", u.EscapedPath())
			c.auth.invalidate(tok)
			continue
		}
		return n, resp, err
	}
}

// sameHost reports whether u names the host of the API base or of the OAuth
// endpoint.
func (c *Client) sameHost(u *url.URL) bool {
	for _, h := range []*url.URL{c.baseURL, c.oauthURL} {
		if h != nil && strings.EqualFold(h.Host, u.Host) {
			return true
		}
	}
	return false
}

// download runs one download: the first hop with auth, redirects without.
func (c *Client) download(ctx context.Context, u *url.URL, auth string, w io.Writer, maxBytes int64) (int64, *Response, error) {
	cur := u
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cur.String(), nil)
		if err != nil {
			return 0, nil, fmt.Errorf("zoom: download %s%s: %w", cur.Host, cur.EscapedPath(), err)
		}
		if hop == 0 {
			req.Header.Set("Authorization", auth)
		}
		start := c.now()
		hresp, err := c.dl.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return 0, nil, ctx.Err()
			}
			return 0, nil, fmt.Errorf("zoom: download %s%s: %w", cur.Host, cur.EscapedPath(), sanitizeURLError(err))
		}
		resp := &Response{Response: hresp}
		c.logger.DebugContext(ctx, "zoom download", "host", cur.Host, "path", cur.EscapedPath(), "hop", hop,
			"status", hresp.StatusCode, "elapsed", c.now().Sub(start))
		switch {
		case hresp.StatusCode >= 300 && hresp.StatusCode < 400 && hresp.Header.Get("Location") != "":
			loc, err := cur.Parse(hresp.Header.Get("Location"))
			io.Copy(io.Discard, io.LimitReader(hresp.Body, maxErrorBodyBytes)) //nolint:errcheck
			hresp.Body.Close()
			if err != nil {
				return 0, resp, fmt.Errorf("zoom: download %s%s: bad redirect: %w", cur.Host, cur.EscapedPath(), sanitizeURLError(err))
			}
			if hop+1 > maxRedirects {
				return 0, resp, fmt.Errorf("zoom: download %s%s: more than %d redirects", u.Host, u.EscapedPath(), maxRedirects)
			}
			cur = loc
			continue
		case hresp.StatusCode < 200 || hresp.StatusCode >= 300:
			defer hresp.Body.Close()
			return 0, resp, downloadError(cur, hop, hresp)
		}
		defer hresp.Body.Close()
		if maxBytes > 0 && hresp.ContentLength > maxBytes {
			return 0, resp, fmt.Errorf("zoom: download %s%s: %d bytes: %w (%d)", u.Host, u.EscapedPath(), hresp.ContentLength, ErrDownloadTooLarge, maxBytes)
		}
		var body io.Reader = hresp.Body
		if maxBytes > 0 {
			body = io.LimitReader(hresp.Body, maxBytes)
		}
		n, err := io.Copy(w, body)
		if err != nil {
			if ctx.Err() != nil {
				return n, resp, ctx.Err()
			}
			return n, resp, fmt.Errorf("zoom: download %s%s: %w", u.Host, u.EscapedPath(), sanitizeURLError(err))
		}
		if maxBytes > 0 && n == maxBytes {
			if m, _ := hresp.Body.Read(make([]byte, 1)); m > 0 {
				return n, resp, fmt.Errorf("zoom: download %s%s: %w (%d)", u.Host, u.EscapedPath(), ErrDownloadTooLarge, maxBytes)
			}
		}
		return n, resp, nil
	}
}

// downloadError turns a non-2xx download answer into an *APIError, with
// Zoom's code when the body is Zoom's JSON error.
func downloadError(u *url.URL, hop int, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	var eb errorBody
	if err := json.Unmarshal(raw, &eb); err != nil || (eb.Code == 0 && eb.Message == "") {
		eb.Message = strings.TrimSpace(string(bytes.ToValidUTF8(raw, nil)))
		if len(eb.Message) > 200 {
			eb.Message = eb.Message[:200] + "..."
		}
		if eb.Message == "" {
			eb.Message = http.StatusText(resp.StatusCode)
		}
	}
	return &APIError{StatusCode: resp.StatusCode, Code: eb.Code, Message: "download: " + eb.Message,
		Method: http.MethodGet, Path: u.Host + u.EscapedPath(), hop: hop}
}

// classifyDownload retries what the API policy retries, except that a 429
// from a file host is an ordinary per-second refusal (no Zoom daily label).
func classifyDownload(api httpretry.Classifier) httpretry.Classifier {
	return func(resp *http.Response, err error) httpretry.Decision {
		if err == nil && resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("X-RateLimit-Type") == "" {
			after, _ := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			return httpretry.Decision{Retry: true, After: after, Reason: "429"}
		}
		return api(resp, err)
	}
}

// redactURL drops the query, fragment and user info of a URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			return s[:i]
		}
		return s
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// jsonSize decodes a byte count sent as an integer, a float or a numeric
// string; "" and null are 0.
type jsonSize int64

func (n *jsonSize) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	var f json.Number = json.Number(s)
	if i, err := f.Int64(); err == nil {
		*n = jsonSize(i)
		return nil
	}
	v, err := f.Float64()
	if err != nil {
		return fmt.Errorf("size %s is not a number", b)
	}
	*n = jsonSize(v)
	return nil
}
