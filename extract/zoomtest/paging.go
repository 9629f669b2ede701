package zoomtest

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"time"
)

// msgPageTokenInvalid is Zoom's message for an unknown, expired or misused next_page_token
// (400, code 300).
const msgPageTokenInvalid = "The next page token is invalid or expired."

type pageToken struct {
	key     string // route template, subject and filters the token is bound to
	offset  int
	expires time.Time
}

// pageParams are the paging fields of a list response.
type pageParams struct {
	NextPageToken string `json:"next_page_token"`
	PageCount     int    `json:"page_count"`
	PageSize      int    `json:"page_size"`
	TotalRecords  int    `json:"total_records"`
}

// page resolves page_size and next_page_token for a list of total items bound to key. It
// returns the slice bounds and the envelope, or an error answer.
func (s *Server) page(c *call, key string, total int) (lo, hi int, env pageParams, errStatus int, errBody any) {
	size := 30
	if v := c.query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errStatus, errBody = http.StatusBadRequest, errorBody{Code: 300, Message: "Validation Failed.",
				Errors: []fieldError{{Field: "page_size", Message: "Invalid field."}}}
			return
		}
		if n > 0 {
			size = min(n, 300) // clamped and echoed, as Zoom does
		}
	}
	if m := s.cfg.maxPageSize; m > 0 {
		size = min(size, m)
	}
	if tok := c.query("next_page_token"); tok != "" {
		s.mu.Lock()
		pt, ok := s.pages[tok]
		s.mu.Unlock()
		if !ok || pt.key != key || !time.Now().Before(pt.expires) {
			errStatus, errBody = apiErr(http.StatusBadRequest, 300, msgPageTokenInvalid)
			return
		}
		lo = pt.offset
	}
	lo = min(lo, total)
	hi = min(lo+size, total)
	env = pageParams{PageSize: size, TotalRecords: total, PageCount: (total + size - 1) / size}
	if hi < total {
		env.NextPageToken = s.newPageToken(key, hi)
	}
	return
}

func (s *Server) newPageToken(key string, offset int) string {
	tok := rand.Text() + rand.Text()[:9]
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, pt := range s.pages {
		if !now.Before(pt.expires) {
			delete(s.pages, t)
		}
	}
	s.pages[tok] = pageToken{key: key, offset: offset, expires: now.Add(s.cfg.pageTokenTTL)}
	return tok
}

// WithMaxPageSize caps every page at n records, below Zoom's 300, so that a
// small account's listings take several pages (tests of paging faults).
func WithMaxPageSize(n int) Option { return func(c *config) { c.maxPageSize = n } }
