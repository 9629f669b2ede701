package zoomtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// specPath finds zoom-meeting-api.json: in $ZOOMSYNC_SHARED_DIR/reference/openapi, else in
// ../shared/reference/openapi beside the directory holding go.mod.
func specPath() (string, error) {
	const rel = "reference/openapi/zoom-meeting-api.json"
	if dir := os.Getenv("ZOOMSYNC_SHARED_DIR"); dir != "" {
		return filepath.Join(dir, rel), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", rel), nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("no go.mod above " + wd)
		}
	}
}

// loadSpec loads the 1.9 MB spec once per test binary.
var loadSpec = sync.OnceValues(func() (*openapi3.T, error) {
	path, err := specPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, specMissingError("OpenAPI specs not found at " + path + ": contract test needs ../shared beside the repo (or ZOOMSYNC_SHARED_DIR)")
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	return doc, nil
})

type specMissingError string

func (e specMissingError) Error() string { return string(e) }

func spec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := loadSpec()
	var missing specMissingError
	if errors.As(err, &missing) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; CI=true, where the contract tests must run, not skip", err)
		}
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// validateResponse checks one response against the operation of tmpl in Zoom's spec with
// openapi3filter.ValidateResponse (status documented, content type, body schema: types,
// enums, formats kin-openapi knows, patterns, maxLength), and also fails on JSON fields the
// spec does not declare: OpenAPI 3.0 allows additional properties by default, which would let
// a misspelt field pass.
//
// Not called: doc.Validate. The export has document-level defects unrelated to the response
// schemas (security scheme "in": "HEADER", an oauth flow with an empty tokenUrl and a stray
// "extensions" key), so validating the whole document fails before any response is checked.
//
// Format "email" (registrants[].email, host_email) is not enforced: kin-openapi registers no
// validator for it by default, and the generator deliberately serves registrant emails as
// typed (surrounding spaces, missing "@"), which Zoom's export types as format "email" but
// real registrant lists do contain. participants[].user_email carries an explicit pattern
// in the spec, and that pattern is enforced.
func validateResponse(t *testing.T, doc *openapi3.T, tmpl string, req *http.Request, res result) {
	t.Helper()
	if err := checkResponse(t.Context(), doc, tmpl, req, res); err != nil {
		t.Fatalf("%s %s → %d does not match the spec: %v\nbody: %.400s", req.Method, req.URL, res.status, err, res.body)
	}
}

func checkResponse(ctx context.Context, doc *openapi3.T, tmpl string, req *http.Request, res result) error {
	pi := doc.Paths.Value(tmpl)
	if pi == nil || pi.GetOperation(req.Method) == nil {
		return fmt.Errorf("spec has no operation %s %s", req.Method, tmpl)
	}
	route := &routers.Route{Spec: doc, Path: tmpl, PathItem: pi, Method: req.Method, Operation: pi.GetOperation(req.Method)}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: opts},
		Status:                 res.status,
		Header:                 res.header,
		Body:                   io.NopCloser(bytes.NewReader(res.body)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return err
	}
	resp := route.Operation.Responses.Status(res.status)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json") == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(res.body, &v); err != nil {
		return err
	}
	if extra := undeclared(resp.Value.Content.Get("application/json").Schema.Value, v, "", nil); len(extra) > 0 {
		slices.Sort(extra)
		return fmt.Errorf("fields not in the spec: %v", slices.Compact(extra))
	}
	return nil
}

// TestContract_detectsViolations proves the validation above is live: bodies that break the
// spec in known ways must be rejected.
func TestContract_detectsViolations(t *testing.T) {
	t.Parallel()
	doc := spec(t)
	hdr := http.Header{"Content-Type": {"application/json; charset=UTF-8"}}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", "http://127.0.0.1/v2/report/webinars/1/participants", nil)
	ok := `{"page_size":30,"total_records":1,"next_page_token":"","participants":[{"id":"","user_id":"1","name":"Guest","user_email":"","join_time":"2026-01-01T10:00:00Z","leave_time":"2026-01-01T10:01:00Z","duration":60,"status":"in_meeting","failover":false}]}`
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr bool
	}{
		{"valid", 200, ok, false},
		{"bad status enum", 200, strings.Replace(ok, `"in_meeting"`, `"joined"`, 1), true},
		{"email with spaces", 200, strings.Replace(ok, `"user_email":""`, `"user_email":" a@b.com "`, 1), true},
		{"duration as string", 200, strings.Replace(ok, `"duration":60`, `"duration":"60"`, 1), true},
		{"bad date-time", 200, strings.Replace(ok, `2026-01-01T10:00:00Z`, `2026-01-01 10:00`, 1), true},
		{"undeclared field", 200, strings.Replace(ok, `"failover":false`, `"failover":false,"join_tme":"x"`, 1), true},
		{"undocumented status", 418, `{"code":1,"message":"x"}`, true},
	}
	for _, tc := range tests {
		err := checkResponse(t.Context(), doc, "/report/webinars/{webinarId}/participants", req,
			result{status: tc.status, header: hdr, body: []byte(tc.body)})
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v, want error %v", tc.name, err, tc.wantErr)
		}
	}
}

// undeclared lists the object keys of v (as JSON paths, array indexes dropped) that s does not declare.
func undeclared(s *openapi3.Schema, v any, path string, out []string) []string {
	if s == nil {
		return out
	}
	for _, sub := range s.AllOf {
		out = undeclared(sub.Value, v, path, out)
	}
	switch v := v.(type) {
	case map[string]any:
		if len(s.Properties) == 0 {
			return out // free-form object
		}
		for k, x := range v {
			p := s.Properties[k]
			if p == nil {
				out = append(out, path+"."+k)
				continue
			}
			out = undeclared(p.Value, x, path+"."+k, out)
		}
	case []any:
		if s.Items != nil {
			for _, x := range v {
				out = undeclared(s.Items.Value, x, path+"[]", out)
			}
		}
	}
	return out
}

// TestContract_responses validates every response of every implemented endpoint of a whole
// demo account, errors included where the spec documents the status, against Zoom's spec.
func TestContract_responses(t *testing.T) {
	t.Parallel()
	doc := spec(t)
	acct := demo()
	s := startServer(t, acct, WithPlan("unlimited"))
	tok := token(t, s)
	covered := map[string]map[int]int{}
	var undocumented []string
	check := func(tmpl, pathQuery string, wantStatus int) result {
		t.Helper()
		req := newGet(t, s, tok, pathQuery)
		res := do(t, req)
		if res.status != wantStatus {
			t.Fatalf("GET %s: status %d, want %d: %s", pathQuery, res.status, wantStatus, res.body)
		}
		if op := doc.Paths.Value(tmpl).Get; op.Responses.Status(res.status) == nil {
			undocumented = append(undocumented, fmt.Sprintf("%s → %d", tmpl, res.status))
			return res
		}
		validateResponse(t, doc, tmpl, req, specDeviations(t, tmpl, res))
		if covered[tmpl] == nil {
			covered[tmpl] = map[int]int{}
		}
		covered[tmpl][res.status]++
		return res
	}
	// walkAll checks every page of a list.
	walkAll := func(tmpl, pathQuery string) {
		t.Helper()
		next := ""
		for {
			q := pathQuery
			if next != "" {
				q += "&next_page_token=" + next
			}
			res := check(tmpl, q, 200)
			next = decode[pageParams](t, res).NextPageToken
			if next == "" {
				return
			}
		}
	}

	for _, st := range []string{"active", "pending", "inactive"} {
		walkAll("/users", "/users?page_size=2&status="+st)
	}
	for _, u := range acct.Users {
		if u.Type == 2 {
			walkAll("/users/{userId}/webinars", "/users/"+u.ID+"/webinars?type=scheduled&page_size=5")
			walkAll("/users/{userId}/webinars", "/users/"+u.ID+"/webinars?type=upcoming")
		}
	}
	check("/users/{userId}/webinars", "/users/nobody@example.com/webinars", 404)

	yearAgo := acct.Now.AddDate(-1, 0, 0)
	for _, w := range acct.Webinars {
		id := fmt.Sprint(w.ID)
		check("/past_webinars/{webinarId}/instances", "/past_webinars/"+id+"/instances", 200)
		if w.Expired {
			check("/webinars/{webinarId}", "/webinars/"+id, 404)
		} else {
			check("/webinars/{webinarId}", "/webinars/"+id, 200)
			check("/webinars/{webinarId}", "/webinars/"+doubleEscape(w.UUID), 200)
			if w.ApprovalType == 2 {
				check("/webinars/{webinarId}/registrants", "/webinars/"+id+"/registrants", 400)
			} else {
				for _, st := range []string{"approved", "pending", "denied"} {
					walkAll("/webinars/{webinarId}/registrants", "/webinars/"+id+"/registrants?page_size=300&status="+st)
				}
			}
		}
		if len(w.Instances) == 0 {
			check("/report/webinars/{webinarId}", "/report/webinars/"+id, 404)
			continue
		}
		for _, in := range w.Instances {
			u := doubleEscape(in.UUID)
			if in.StartTime.Before(yearAgo) {
				check("/report/webinars/{webinarId}", "/report/webinars/"+u, 400)
				check("/report/webinars/{webinarId}/participants", "/report/webinars/"+u+"/participants", 400)
				continue
			}
			check("/report/webinars/{webinarId}", "/report/webinars/"+u, 200)
			walkAll("/report/webinars/{webinarId}/participants", "/report/webinars/"+u+"/participants?page_size=300&include_fields=registrant_id")
		}
		if !w.Instances[len(w.Instances)-1].StartTime.Before(yearAgo) {
			check("/report/webinars/{webinarId}", "/report/webinars/"+id, 200)
			walkAll("/report/webinars/{webinarId}/participants", "/report/webinars/"+id+"/participants?page_size=100")
		}
	}
	check("/webinars/{webinarId}", "/webinars/99999999999", 404)
	check("/webinars/{webinarId}/registrants", "/webinars/99999999999/registrants", 404)
	check("/past_webinars/{webinarId}/instances", "/past_webinars/99999999999/instances", 404)
	check("/report/webinars/{webinarId}", "/report/webinars/99999999999", 404)
	check("/report/webinars/{webinarId}/participants", "/report/webinars/99999999999/participants", 404)

	// Panelists, absentees, recordings (issue 3).
	for _, w := range acct.Webinars {
		id := fmt.Sprint(w.ID)
		if w.Expired {
			check("/webinars/{webinarId}/panelists", "/webinars/"+id+"/panelists", 404)
		} else {
			check("/webinars/{webinarId}/panelists", "/webinars/"+id+"/panelists", 200)
		}
		if len(w.Instances) == 0 {
			check("/past_webinars/{webinarId}/absentees", "/past_webinars/"+id+"/absentees", 404)
			check("/meetings/{meetingId}/recordings", "/meetings/"+id+"/recordings", 404)
			continue
		}
		for _, in := range w.Instances {
			u := doubleEscape(in.UUID)
			if w.ApprovalType == 2 {
				check("/past_webinars/{webinarId}/absentees", "/past_webinars/"+u+"/absentees", 400)
			} else {
				walkAll("/past_webinars/{webinarId}/absentees", "/past_webinars/"+u+"/absentees?page_size=100")
			}
			if in.Recording != nil && in.Recording.DeletedTime.IsZero() {
				check("/meetings/{meetingId}/recordings", "/meetings/"+u+"/recordings", 200)
			} else {
				check("/meetings/{meetingId}/recordings", "/meetings/"+u+"/recordings", 404)
			}
		}
		if w.ApprovalType != 2 {
			walkAll("/past_webinars/{webinarId}/absentees", "/past_webinars/"+id+"/absentees?page_size=300")
		}
		if w.Type == 9 {
			check("/past_webinars/{webinarId}/absentees", "/past_webinars/"+id+"/absentees?occurrence_id=1", 400)
		}
	}
	check("/webinars/{webinarId}/panelists", "/webinars/99999999999/panelists", 404)
	check("/past_webinars/{webinarId}/absentees", "/past_webinars/99999999999/absentees", 404)
	check("/meetings/{meetingId}/recordings", "/meetings/99999999999/recordings", 404)
	withToken := check("/meetings/{meetingId}/recordings",
		"/meetings/"+doubleEscape(anyRecorded(t, acct).UUID)+"/recordings?include_fields=download_access_token&ttl=600", 200)
	if !strings.Contains(string(withToken.body), `"download_access_token":"`) {
		t.Errorf("include_fields=download_access_token: no token in %.300s", withToken.body)
	}

	// Engagement (issue 11): the Q&A, poll and survey reports of every instance (by uuid)
	// and of every webinar's latest instance (by id), and every webinar's tracking sources.
	const surveyTmpl = "/report/webinars/{webinarId}/survey"
	checkSurvey := func(pathQuery string, wantStatus int) {
		t.Helper()
		res := do(t, newGet(t, s, tok, pathQuery))
		if res.status != wantStatus {
			t.Fatalf("GET %s: status %d, want %d: %s", pathQuery, res.status, wantStatus, res.body)
		}
		if err := checkSurveyReport(res); err != nil {
			t.Fatalf("GET %s → %d does not match the survey report's shape: %v\nbody: %.400s", pathQuery, res.status, err, res.body)
		}
		if covered[surveyTmpl] == nil {
			covered[surveyTmpl] = map[int]int{}
		}
		covered[surveyTmpl][res.status]++
	}
	engagementReports := func(seg string, want int) {
		t.Helper()
		check("/report/webinars/{webinarId}/qa", "/report/webinars/"+seg+"/qa", want)
		check("/report/webinars/{webinarId}/polls", "/report/webinars/"+seg+"/polls", want)
		checkSurvey("/report/webinars/"+seg+"/survey", want)
	}
	for _, w := range acct.Webinars {
		id := fmt.Sprint(w.ID)
		if w.Expired {
			check("/webinars/{webinarId}/tracking_sources", "/webinars/"+id+"/tracking_sources", 404)
		} else {
			check("/webinars/{webinarId}/tracking_sources", "/webinars/"+id+"/tracking_sources", 200)
		}
		if len(w.Instances) == 0 {
			engagementReports(id, 404)
			continue
		}
		for _, in := range w.Instances {
			want := 200
			if in.StartTime.Before(yearAgo) {
				want = 400
			}
			engagementReports(doubleEscape(in.UUID), want)
		}
		if !w.Instances[len(w.Instances)-1].StartTime.Before(yearAgo) {
			engagementReports(id, 200)
		}
	}
	engagementReports("99999999999", 404)
	check("/webinars/{webinarId}/tracking_sources", "/webinars/99999999999/tracking_sources", 404)
	check("/webinars/{webinarId}/tracking_sources", "/webinars/"+doubleEscape(acct.Webinars[0].UUID)+"/tracking_sources", 404)

	// The report of a host's meetings, month by month over the six-month window.
	today := acct.Now.Truncate(24 * time.Hour)
	for _, u := range acct.Users {
		if u.Type != 2 {
			continue
		}
		for from := today.AddDate(0, -6, 0); from.Before(today); from = from.AddDate(0, 1, 0) {
			q := "?type=past&page_size=5&from=" + from.Format(time.DateOnly) + "&to=" + from.AddDate(0, 1, 0).Format(time.DateOnly)
			walkAll("/report/users/{userId}/meetings", "/report/users/"+u.ID+"/meetings"+q)
		}
	}
	host := acct.Users[0].ID
	for _, q := range []string{
		"",                               // from and to missing
		"?from=2026-08-01&to=2026-09-15", // more than a month
		"?from=2026-09-01&to=2026-08-15", // to before from
		"?from=2026-03-01&to=2026-03-31", // older than six months: 300
		"?from=2025-09-01&to=2025-09-30", // older than a year: 12702
		"?from=2026-09-01&to=2026-09-30&type=all",
	} {
		check("/report/users/{userId}/meetings", "/report/users/"+host+"/meetings"+q, 400)
	}
	check("/report/users/{userId}/meetings", "/report/users/nobody@example.com/meetings?from=2026-09-01&to=2026-09-30", 404)

	for _, r := range Routes() {
		tmpl, ok := strings.CutPrefix(r, "GET ")
		if !ok || tmpl == "/webinars/{webinarId}/registrants/questions" {
			continue // TestContract_registration covers registration
		}
		if strings.HasPrefix(tmpl, "/zoom_events/") {
			continue // not in the meeting API's spec: TestContract_zoomEvents covers them
		}
		if covered[tmpl][200] == 0 {
			t.Errorf("%s: no 200 response validated", r)
		}
	}
	t.Logf("validated: %v", covered)
	if len(undocumented) > 0 {
		t.Logf("statuses the spec does not document (not validated): %v", undocumented)
	}
}

// surveySchemaJSON is the shape of GET /report/webinars/{webinarId}/survey, which neither
// OpenAPI export in reference/ has: Zoom's generated SDK @zoom/rivet declares it
// (Meetings.ReportsGetWebinarSurveyReportResponse; see engagement_routes.go). Its errors
// are Zoom's error body.
const surveySchemaJSON = `{"type": "object", "properties": {
  "webinar_id": {"type": "integer", "format": "int64"},
  "webinar_uuid": {"type": "string"},
  "start_time": {"type": "string", "format": "date-time"},
  "survey_id": {"type": "string"},
  "survey_name": {"type": "string"},
  "survey_answers": {"type": "array", "items": {"type": "object", "properties": {
    "email": {"type": "string"}, "name": {"type": "string"},
    "first_name": {"type": "string"}, "last_name": {"type": "string"},
    "answer_details": {"type": "array", "items": {"type": "object", "properties": {
      "question_id": {"type": "string"}, "question": {"type": "string"},
      "answer": {"type": "string"}, "date_time": {"type": "string", "format": "date-time"}}}}}}}}}`

const errorSchemaJSON = `{"type": "object", "required": ["code", "message"], "properties": {
  "code": {"type": "integer"}, "message": {"type": "string"}}}`

// checkSurveyReport validates a survey report answer: 200 against surveySchemaJSON, 400 and
// 404 (the statuses Zoom documents for it) against Zoom's error body; no undeclared fields.
func checkSurveyReport(res result) error {
	src := surveySchemaJSON
	switch res.status {
	case http.StatusOK:
	case http.StatusBadRequest, http.StatusNotFound:
		src = errorSchemaJSON
	default:
		return fmt.Errorf("status %d is not documented", res.status)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q", ct)
	}
	var sch openapi3.Schema
	if err := json.Unmarshal([]byte(src), &sch); err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(res.body, &v); err != nil {
		return err
	}
	if err := sch.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
		return err
	}
	if extra := undeclared(&sch, v, "", nil); len(extra) > 0 {
		return fmt.Errorf("fields not in the shape: %v", extra)
	}
	return nil
}

// anyRecorded returns an instance with a recording that is not in the trash.
func anyRecorded(t *testing.T, acct *Account) *Instance {
	t.Helper()
	for _, w := range acct.Webinars {
		for _, in := range w.Instances {
			if in.Recording != nil && in.Recording.DeletedTime.IsZero() {
				return in
			}
		}
	}
	t.Fatal("no recorded instance in the account")
	return nil
}

// specDeviations rewrites, before validation, the values zoom-api.md documents and Zoom's
// OpenAPI export does not allow, so that the rest of the body is still validated:
//   - GET /meetings/{meetingId}/recordings: "type" is a number in real payloads (§6.12: "spec
//     says string enum, real payloads numeric"): validated as its string form;
//     recording_files[].file_type "TIMELINE" (§6.12 table) is missing from the enum:
//     validated as "TB"; recording_files[].status "processing" (§6.12: "treat anything else
//     (e.g. processing) as not ready") is missing from the enum ["completed"]: validated as
//     "completed".
func specDeviations(t *testing.T, tmpl string, res result) result {
	t.Helper()
	if tmpl != "/meetings/{meetingId}/recordings" || res.status != http.StatusOK {
		return res
	}
	var v map[string]any
	if err := json.Unmarshal(res.body, &v); err != nil {
		t.Fatalf("decoding recording: %v", err)
	}
	if n, ok := v["type"].(float64); ok {
		v["type"] = fmt.Sprint(n)
	} else {
		t.Errorf("recording type %v is not a number", v["type"])
	}
	files, _ := v["recording_files"].([]any)
	for _, f := range files {
		f := f.(map[string]any)
		if f["file_type"] == "TIMELINE" {
			f["file_type"] = "TB"
		}
		if f["status"] == "processing" {
			f["status"] = "completed"
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	res.body = b
	return res
}

// TestContract_surveyShapeDetectsViolations proves checkSurveyReport is live: answers that
// break the survey report's shape in known ways must be rejected.
func TestContract_surveyShapeDetectsViolations(t *testing.T) {
	t.Parallel()
	hdr := http.Header{"Content-Type": {"application/json; charset=UTF-8"}}
	ok := `{"webinar_id":81234567890,"webinar_uuid":"abc==","start_time":"2026-10-01T10:00:00Z","survey_id":"s1","survey_name":"S","survey_answers":[{"name":"A B","first_name":"A","last_name":"B","email":"a@b.com","answer_details":[{"question_id":"q1","question":"Q?","answer":"5","date_time":"2026-10-01T11:00:00.000Z"}]}]}`
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr bool
	}{
		{"valid", 200, ok, false},
		{"valid error", 404, `{"code":3001,"message":"Meeting does not exist: 1."}`, false},
		{"webinar id as string", 200, strings.Replace(ok, `81234567890`, `"81234567890"`, 1), true},
		{"bad date_time", 200, strings.Replace(ok, `2026-10-01T11:00:00.000Z`, `yesterday`, 1), true},
		{"undeclared field", 200, strings.Replace(ok, `"answer":"5"`, `"answer":"5","score":5`, 1), true},
		{"error without code", 400, `{"message":"x"}`, true},
		{"undocumented status", 500, `{"code":1,"message":"x"}`, true},
	}
	for _, tc := range tests {
		err := checkSurveyReport(result{status: tc.status, header: hdr, body: []byte(tc.body)})
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v, want error %v", tc.name, err, tc.wantErr)
		}
	}
}
