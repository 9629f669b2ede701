package zoomtest

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// route is one endpoint the simulator serves. Every route, the token endpoint and the
// recording downloads included, has the same handler shape: it reads a *call and returns
// the status and the body to answer (JSON unless the body is one of the reply types below).
type route struct {
	method string // "" → any method: the handler answers the others itself
	path   string // path pattern: after /v2 for API routes, as in Zoom's OpenAPI spec
	label  string // rate-limit category; "" → not rate-limited
	// stat names the route in Stats.ByRoute; "" → method + " " + path.
	stat   string
	handle func(s *Server, c *call) (int, any)
}

// apiRoutes are the endpoints under /v2. Their requests are authenticated with a bearer
// token before anything else, as Zoom does, and fault paths are matched after /v2.
var apiRoutes = []*route{
	{method: "GET", path: "/users", label: Medium, handle: (*Server).listUsers},
	{method: "GET", path: "/users/{userId}/webinars", label: Medium, handle: (*Server).listUserWebinars},
	{method: "GET", path: "/webinars/{webinarId}", label: Light, handle: (*Server).getWebinar},
	{method: "GET", path: "/webinars/{webinarId}/registrants", label: Medium, handle: (*Server).listRegistrantsLocked},
	{method: "GET", path: "/webinars/{webinarId}/registrants/questions", label: Light, handle: (*Server).listRegistrantQuestions},
	{method: "POST", path: "/webinars/{webinarId}/registrants", label: Light, handle: (*Server).addRegistrant},
	{method: "GET", path: "/past_webinars/{webinarId}/instances", label: Light, handle: (*Server).listPastInstances},
	{method: "GET", path: "/report/webinars/{webinarId}", label: Heavy, handle: (*Server).getWebinarReport},
	{method: "GET", path: "/report/webinars/{webinarId}/participants", label: Heavy, handle: (*Server).listReportParticipants},
	{method: "GET", path: "/webinars/{webinarId}/panelists", label: Medium, handle: (*Server).listPanelists},
	{method: "GET", path: "/past_webinars/{webinarId}/absentees", label: Heavy, handle: (*Server).listAbsentees},
	{method: "GET", path: "/meetings/{meetingId}/recordings", label: Light, handle: (*Server).getRecording},
	{method: "GET", path: "/report/users/{userId}/meetings", label: Heavy, handle: (*Server).listUserMeetingsReport},
	// Engagement (issue 11, engagement_routes.go).
	{method: "GET", path: "/report/webinars/{webinarId}/qa", label: Heavy, handle: (*Server).getWebinarQA},
	{method: "GET", path: "/report/webinars/{webinarId}/polls", label: Heavy, handle: (*Server).getWebinarPolls},
	{method: "GET", path: "/report/webinars/{webinarId}/survey", label: Heavy, handle: (*Server).getWebinarSurvey},
	{method: "GET", path: "/webinars/{webinarId}/tracking_sources", label: Medium, handle: (*Server).listTrackingSources},
	// Zoom Events (events.go).
	{method: "GET", path: "/zoom_events/events", label: Light, handle: (*Server).listEvents},
	{method: "GET", path: "/zoom_events/events/{eventId}/sessions", label: Light, handle: (*Server).listEventSessions},
}

// otherRoutes are served outside /v2. A fault reaches them only when its path starts with
// their first segment ("/oauth", "/rec").
var otherRoutes = []*route{
	{path: "/oauth/token", stat: "POST /oauth/token", handle: (*Server).serveToken},
	{path: "/rec/download/{fileId...}", stat: "GET /rec/download/{fileId}", handle: (*Server).serveDownload},
	{path: "/rec/signed/{fileId...}", stat: "GET /rec/signed/{fileId}", handle: (*Server).serveSigned},
}

// Routes lists the implemented endpoints as "METHOD /template" (paths after /v2).
func Routes() []string {
	out := make([]string, len(apiRoutes))
	for i, rt := range apiRoutes {
		out[i] = rt.method + " " + rt.path
	}
	return out
}

func (rt *route) name() string {
	if rt.stat != "" {
		return rt.stat
	}
	return rt.method + " " + rt.path
}

// newMux routes every request to s.serve with its route; anything else reaches s.serve
// without one, which answers as the contract says for unknown routes.
//
// API patterns carry their method ("GET /v2/users"); a request whose path matches but
// whose method does not falls through to the catch-all "/" (so never ServeMux's own 405),
// and s.serve answers it 404, as for any unknown API route. ServeMux matches the escaped
// path segment by segment, so a uuid holding "%2F" stays one segment.
func (s *Server) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range apiRoutes {
		mux.Handle(rt.method+" /v2"+rt.path, s.serveRoute(rt))
	}
	for _, rt := range otherRoutes {
		mux.Handle(rt.path, s.serveRoute(rt))
		if dir, ok := strings.CutSuffix(rt.path, "/{fileId...}"); ok {
			// Without this, ServeMux would redirect dir to dir+"/".
			mux.Handle(dir, s.serveRoute(nil))
		}
	}
	mux.Handle("/", s.serveRoute(nil))
	return mux
}

func (s *Server) serveRoute(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, rt) })
}

// ServeHTTP serves the simulator. A path that is not clean ("//", "/./", "/../") is an
// unknown route: ServeMux would redirect it to its cleaned form instead, and an empty path
// segment where a uuid belongs must not become another route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.EscapedPath(); p != cleanPath(p) {
		s.serve(w, r, nil)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// cleanPath is path.Clean keeping a trailing slash, as ServeMux cleans paths.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// reqInfo is what serve learns about a request for stats and logs.
type reqInfo struct {
	route, label string
	status       int
	fault        FaultKind
	recorded     bool // counted in the stats already
}

type statusWriter struct {
	http.ResponseWriter
	info *reqInfo
}

func (w *statusWriter) WriteHeader(code int) {
	if w.info.status == 0 {
		w.info.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.info.status == 0 {
		w.info.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// call is one request being served.
type call struct {
	r      *http.Request
	w      http.ResponseWriter // for handlers that set headers (register.go)
	params map[string]string   // raw (still escaped) path parameters
	route  *route
	token  string // the bearer token, else the access_token query parameter
	bearer bool   // token came from an Authorization: Bearer header
}

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// apiErr is a handler's error answer.
func apiErr(status, code int, format string, args ...any) (int, any) {
	return status, errorBody{Code: code, Message: fmt.Sprintf(format, args...)}
}

// serve is the one path of every request: authenticate (API routes), find the route,
// inject a fault, apply the rate limit, run the handler, write its answer; then count the
// request and log it. rt is nil for an unknown route.
func (s *Server) serve(rw http.ResponseWriter, r *http.Request, rt *route) {
	s.begin()
	defer s.end()
	info := &reqInfo{route: "unmatched"}
	w := &statusWriter{ResponseWriter: rw, info: info}
	p := r.URL.EscapedPath()
	if d := s.delay(r); d == 0 || s.wait(r, d) {
		s.dispatch(w, r, rt, p)
	}
	s.record(info)
	attrs := []any{"method", r.Method, "path", p, "route", info.route, "status", info.status}
	if info.fault != 0 {
		attrs = append(attrs, "fault", info.fault.String())
	}
	s.cfg.logger.DebugContext(r.Context(), "zoomtest request", attrs...)
}

func (s *Server) dispatch(w *statusWriter, r *http.Request, rt *route, p string) {
	c := &call{r: r, w: w, route: rt}
	c.token, c.bearer = bearerToken(r)
	if !c.bearer {
		c.token = r.URL.Query().Get("access_token")
	}
	faultPath, scope, ok := s.admit(w, c, p)
	if !ok {
		return
	}
	w.info.route, w.info.label = rt.name(), rt.label
	mode := bodyWhole
	if f := s.takeFault(r, faultPath, scope); f != nil {
		w.info.fault = f.Kind
		var done bool
		if done, mode = s.applyFault(w, c, f); done {
			return
		}
	}
	if rt.label != "" && !s.limits.allow(w, rt.label, time.Now()) {
		return
	}
	status, body := rt.handle(s, c)
	if mode == bodyHalf && status != http.StatusOK {
		mode = bodyWhole // a malformed page is a 200
	}
	s.writeReply(w, status, body, mode)
}

// admit answers the requests that never reach a route: outside /v2 an unknown route (500
// "no route in test fixture"); under /v2 a missing, unknown or expired token (401/124),
// then an unknown route (404), as Zoom authenticates first. For a request it admits, it
// returns the path faults are matched on and their scope ("" for API requests).
func (s *Server) admit(w *statusWriter, c *call, p string) (faultPath, scope string, ok bool) {
	rt, r := c.route, c.r
	if p != "/v2" && !strings.HasPrefix(p, "/v2/") {
		if rt == nil {
			s.writeReply(w, http.StatusInternalServerError, textReply("no route in test fixture: "+r.URL.Path), bodyWhole)
			return "", "", false
		}
		return p, "/" + strings.Split(p, "/")[1], true
	}
	if st, body := s.authenticate(c); st != 0 {
		writeJSON(w, st, body)
		return "", "", false
	}
	if rt != nil {
		c.params, ok = rawParams(rt, strings.TrimPrefix(p, "/v2"))
	}
	if !ok || r.Method != rt.method {
		writeJSON(w, http.StatusNotFound, errorBody{Code: 404, Message: "No route in test fixture: " + r.Method + " " + p})
		return "", "", false
	}
	return strings.TrimPrefix(p, "/v2"), "", true
}

// bearerToken reads "Authorization: Bearer <token>" (or "bearer").
func bearerToken(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(r.Header.Get("Authorization"), "bearer ")
	}
	return tok, ok
}

// authenticate checks the bearer token of an API request: missing or unknown → 401/124
// "Invalid access token.", expired → 401/124 "Access token is expired.". It returns 0 when
// the token is good.
func (s *Server) authenticate(c *call) (int, any) {
	s.mu.Lock()
	exp, known := s.tokens[c.token]
	s.mu.Unlock()
	switch {
	case !c.bearer || !known:
		return http.StatusUnauthorized, errorBody{Code: 124, Message: "Invalid access token."}
	case !time.Now().Before(exp):
		return http.StatusUnauthorized, errorBody{Code: 124, Message: "Access token is expired."}
	}
	return 0, nil
}

// rawParams returns the wildcards of an API route as they appear in the escaped path p
// (after /v2). ServeMux matched p segment by segment, so the i-th segment of p is the i-th
// of the pattern. r.PathValue would unescape once, but a uuid's encoding is part of what it
// says (a uuid with "/" must come encoded twice, zoom-api.md §1), so {webinarId} and
// {meetingId} are read raw and decoded by idParam. ok is false when a literal segment
// matched only once unescaped ("/%75sers"): no Zoom route is spelt that way.
func rawParams(rt *route, p string) (params map[string]string, ok bool) {
	segs := strings.Split(p, "/")
	params = map[string]string{}
	for i, ps := range strings.Split(rt.path, "/") {
		if name, wild := strings.CutPrefix(ps, "{"); wild {
			params[strings.TrimSuffix(name, "}")] = segs[i]
		} else if ps != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// textReply is a plain-text answer, written as http.Error writes it.
type textReply string

// redirectReply answers with its Location and no body.
type redirectReply string

// fileReply is a downloaded file.
type fileReply struct{ contentType, disposition, body string }

// bodyMode says how much of a body reaches the client.
type bodyMode int

const (
	bodyWhole bodyMode = iota
	// bodyHalf (FaultMalformed): a complete response whose body is the first half of the
	// real one.
	bodyHalf
	// bodyCut (FaultResetMidBody): the headers announce the whole body, its first half is
	// sent, then the connection closes.
	bodyCut
)

// writeReply writes a handler's answer: the reply types above, or JSON with Zoom's
// content type.
func (s *Server) writeReply(w *statusWriter, status int, body any, mode bodyMode) {
	h := w.Header()
	var b []byte
	switch v := body.(type) {
	case textReply:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		b = []byte(string(v) + "\n")
	case redirectReply:
		h.Set("Location", string(v))
	case fileReply:
		h.Set("Content-Type", v.contentType)
		h.Set("Content-Disposition", v.disposition)
		b = []byte(v.body)
	default:
		status, b = encodeJSON(status, body)
		h.Set("Content-Type", "application/json; charset=UTF-8")
	}
	if mode == bodyHalf {
		b = b[:len(b)/2]
	}
	if _, text := body.(textReply); len(b) > 0 && !text {
		h.Set("Content-Length", strconv.Itoa(len(b)))
	}
	w.WriteHeader(status)
	if mode == bodyCut {
		w.Write(b[:len(b)/2]) //nolint:errcheck
		s.closeConn(w, false)
		return
	}
	if len(b) > 0 {
		w.Write(b) //nolint:errcheck // a HEAD request gets the headers only
	}
}
