package hubspottest

// Query parameters of the list and read operations.

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// paging reads the list endpoints' limit (1 to 100, default def) and after
// (a non-negative offset) query parameters, answering 400 for bad values.
func (s *Server) paging(c *call, def int) (limit, after int, ok bool) {
	q := c.r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxBatchInputs {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("limit must be a number between 1 and %d, got %q", maxBatchInputs, v), nil)
			return 0, 0, false
		}
		limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Invalid paging cursor after=%q", v), nil)
			return 0, 0, false
		}
		after = n
	}
	return limit, after, true
}

// boolQuery parses an optional true/false query parameter, answering 400 on junk.
func (s *Server) boolQuery(c *call, name string) (bool, bool) {
	switch v := c.query(name); v {
	case "", "false":
		return false, true
	case "true":
		return true, true
	default:
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Invalid value %q for query parameter %s: use true or false", v, name), nil)
		return false, false
	}
}

// splitList parses a comma-separated (or repeated) query parameter.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// pageBounds pages n items sorted by numeric id (idAt(i) is the i-th id):
// the page is items[lo:hi], the first limit items whose id is at least
// after; next is the id of the item after the page, "" on the last page.
func pageBounds(n int, idAt func(int) string, limit, after int) (lo, hi int, next string) {
	lo = sort.Search(n, func(i int) bool { return idNum(idAt(i)) >= after })
	hi = min(lo+limit, n)
	if hi < n {
		next = idAt(hi)
	}
	return lo, hi, next
}

// writeList answers a list operation: {"results": page, "paging": {"next":
// {"after", "link"}}}, paging only when there is a next page.
func (s *Server) writeList(c *call, page any, next string) {
	resp := map[string]any{"results": page}
	if next != "" {
		resp["paging"] = map[string]any{"next": map[string]string{"after": next, "link": "?after=" + next}}
	}
	s.writeJSON(c, http.StatusOK, resp)
}
