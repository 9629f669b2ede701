package zoomtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WithSignedURLTTL sets how long the signed storage URLs that recording downloads redirect
// to stay valid (default 2 min). A negative value makes them expire at once, for tests.
func WithSignedURLTTL(d time.Duration) Option { return func(c *config) { c.signedURLTTL = d } }

// recFile is a recording file with what it belongs to.
type recFile struct {
	w    *Webinar
	in   *Instance
	file *RecordingFile
}

// recordingIndex maps every download key to its file. The account's recordings do not change
// once served, so it is built once.
func (s *Server) recordingIndex() map[string]recFile {
	s.recOnce.Do(func() {
		s.recIndex = map[string]recFile{}
		for _, w := range s.acct.Webinars {
			for _, in := range w.Instances {
				if in.Recording == nil {
					continue
				}
				for _, f := range in.Recording.Files {
					s.recIndex[f.DownloadKey] = recFile{w, in, f}
				}
			}
		}
	})
	return s.recIndex
}

// baseURL is the server's base URL as the client reached it.
func (s *Server) baseURL(r *http.Request) string {
	if s.URL != "" {
		return s.URL
	}
	return "http://" + r.Host
}

// --- GET /meetings/{meetingId}/recordings ---

type recordingJSON struct {
	UUID                string              `json:"uuid"`
	ID                  int64               `json:"id"`
	AccountID           string              `json:"account_id"`
	HostID              string              `json:"host_id"`
	Topic               string              `json:"topic"`
	Type                int                 `json:"type"` // the spec says a string enum; Zoom sends a number (zoom-api.md §6.12)
	StartTime           string              `json:"start_time"`
	Duration            int                 `json:"duration"`
	TotalSize           int64               `json:"total_size"`
	RecordingCount      int                 `json:"recording_count"`
	DownloadAccessToken string              `json:"download_access_token,omitempty"`
	RecordingFiles      []recordingFileJSON `json:"recording_files"`
}

type recordingFileJSON struct {
	ID             string `json:"id,omitempty"`
	MeetingID      string `json:"meeting_id"`
	RecordingStart string `json:"recording_start"`
	RecordingEnd   string `json:"recording_end"`
	FileType       string `json:"file_type"`
	FileExtension  string `json:"file_extension"`
	FileSize       *int64 `json:"file_size,omitempty"`
	PlayURL        string `json:"play_url,omitempty"`
	DownloadURL    string `json:"download_url"`
	Status         string `json:"status,omitempty"`
	RecordingType  string `json:"recording_type,omitempty"`
}

// getRecording implements GET /meetings/{meetingId}/recordings: a webinar id → its latest
// ended instance, or an instance uuid (double-encoded). Instances without a cloud recording,
// recordings in the trash, plain meetings and unknown ids answer 404/3301. With
// include_fields=download_access_token the answer carries a token that downloads (only) for
// ttl seconds (default 86400, at most 604800).
func (s *Server) getRecording(c *call) (int, any) {
	raw := c.params["meetingId"]
	if _, _, st, eb := s.idParam(raw); st != 0 {
		return st, eb
	}
	w, in, st, _ := s.findEndedInstance(raw)
	if st != 0 || in.Recording == nil || !in.Recording.DeletedTime.IsZero() {
		return apiErr(http.StatusNotFound, 3301, "There is no recording for this meeting")
	}
	rec := in.Recording
	base := s.baseURL(c.r)
	out := recordingJSON{
		UUID: in.UUID, ID: w.ID, AccountID: s.acct.ID, HostID: w.HostID, Topic: w.Topic, Type: w.Type,
		StartTime: zt(rec.StartTime), Duration: rec.Duration, RecordingCount: len(rec.Files),
		RecordingFiles: []recordingFileJSON{},
	}
	for _, f := range rec.Files {
		j := recordingFileJSON{
			ID: f.ID, MeetingID: in.UUID, RecordingStart: zt(f.RecordingStart), RecordingEnd: zt(f.RecordingEnd),
			FileType: f.FileType, FileExtension: f.FileExtension, Status: f.Status,
			DownloadURL: base + "/rec/download/" + f.DownloadKey,
		}
		if f.ID != "" { // CC and TIMELINE files come without id, status, size, recording_type and play_url
			size := f.Size
			j.FileSize, j.RecordingType = &size, f.RecordingType
			j.PlayURL = "https://zoom.us/rec/play/" + f.PlayKey
			out.TotalSize += f.Size
		}
		out.RecordingFiles = append(out.RecordingFiles, j)
	}
	for f := range strings.SplitSeq(c.query("include_fields"), ",") {
		if strings.TrimSpace(f) != "download_access_token" {
			continue
		}
		ttl := 86400
		if v := c.query("ttl"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 604800 {
				return validationFailed("ttl")
			}
			ttl = n
		}
		tok := "dl." + rand.Text() + rand.Text()
		s.mu.Lock()
		s.dlTokens[tok] = time.Now().Add(time.Duration(ttl) * time.Second)
		s.mu.Unlock()
		out.DownloadAccessToken = tok
	}
	return http.StatusOK, out
}

// --- downloads: GET <download_url> → 302 → signed URL ---

// serveDownload implements GET /rec/download/{fileId}, the download_url of recording files
// (zoom-api.md §6.14, §8.8). It needs an access token, as "Authorization: Bearer" or an
// access_token query parameter (an OAuth token or a download_access_token): none or unknown
// → 401/124 "Invalid access token.", expired → 401/124 "Access token is expired.". A known
// file answers 302 to a signed URL on this server (/rec/signed/{fileId}?exp=&sig=) that
// serves the file without any token. Trashed recordings and unknown ids answer 404/3301; a
// file still processing answers 404/3301 "...still processing". Downloads are not
// rate-limited; faults apply when their Path starts with "/rec".
func (s *Server) serveDownload(c *call) (int, any) {
	r := c.r
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return http.StatusMethodNotAllowed, errorBody{Code: 405, Message: "Method not allowed"}
	}
	s.mu.Lock()
	exp, known := s.tokens[c.token]
	if !known {
		exp, known = s.dlTokens[c.token]
	}
	s.mu.Unlock()
	switch {
	case c.token == "" || !known:
		return http.StatusUnauthorized, errorBody{Code: 124, Message: "Invalid access token."}
	case !time.Now().Before(exp):
		return http.StatusUnauthorized, errorBody{Code: 124, Message: "Access token is expired."}
	}
	key := r.PathValue("fileId")
	rf, ok := s.recordingIndex()[key]
	if !ok || !rf.in.Recording.DeletedTime.IsZero() {
		return http.StatusNotFound, errorBody{Code: 3301, Message: "There is no recording for this meeting"}
	}
	if rf.file.Status != "" && rf.file.Status != "completed" {
		return http.StatusNotFound, errorBody{Code: 3301, Message: "The recording file is still processing."}
	}
	ttl := s.cfg.signedURLTTL
	if ttl == 0 {
		ttl = 2 * time.Minute
	}
	expMs := strconv.FormatInt(time.Now().Add(ttl).UnixMilli(), 10)
	return http.StatusFound, redirectReply(s.baseURL(r) + "/rec/signed/" + key + "?exp=" + expMs + "&sig=" + s.sign(key, expMs))
}

func (s *Server) sign(key, exp string) string {
	m := hmac.New(sha256.New, s.signKey)
	m.Write([]byte(key + "|" + exp))
	return hex.EncodeToString(m.Sum(nil))
}

var contentTypes = map[string]string{
	"VTT": "text/vtt", "TXT": "text/plain; charset=utf-8", "JSON": "application/json", "CSV": "text/csv",
	"MP4": "video/mp4", "M4A": "audio/mp4",
}

// serveSigned implements GET /rec/signed/{fileId}?exp=&sig=, the storage URL a download
// redirects to. It needs no token: a bad signature answers 403, an expired URL 403
// "Request has expired". VTT, TXT, JSON and CSV files are served whole; MP4 and M4A files
// serve a short placeholder body (their file_size in the metadata is the real size, far
// larger), so Content-Length is the body's length, not file_size.
func (s *Server) serveSigned(c *call) (int, any) {
	key := c.r.PathValue("fileId")
	exp, sig := c.query("exp"), c.query("sig")
	if !hmac.Equal([]byte(sig), []byte(s.sign(key, exp))) {
		return http.StatusForbidden, textReply("Access denied")
	}
	ms, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !time.Now().Before(time.UnixMilli(ms)) {
		return http.StatusForbidden, textReply("Request has expired")
	}
	rf, ok := s.recordingIndex()[key]
	if !ok {
		return http.StatusNotFound, textReply("Not found")
	}
	return http.StatusOK, fileReply{
		contentType: contentTypes[rf.file.FileExtension],
		disposition: `attachment; filename="` + strings.ToLower(rf.file.RecordingType) + "." + strings.ToLower(rf.file.FileExtension) + `"`,
		body:        rf.file.Content,
	}
}
