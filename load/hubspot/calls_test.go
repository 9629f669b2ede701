package hubspot

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCallsService_BatchUpsert_specShapeAndOutcomes checks the request body
// against calls.v3.json's BatchInputSimplePublicObjectBatchInputUpsert
// (inputs[]: id and properties required; idProperty, objectWriteTraceId
// optional; nothing else, associations included) and pairs a 207 answer
// (BatchResponseSimplePublicUpsertObjectWithErrors, results in no
// particular order) with the inputs. A 503 after the write is retried:
// resending an upsert is harmless.
func TestCallsService_BatchUpsert_specShapeAndOutcomes(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/crm/v3/objects/calls/batch/upsert" {
			http.Error(w, "no route in test fixture: "+r.URL.Path, http.StatusInternalServerError)
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, b)
		if calls.Add(1) == 1 {
			http.Error(w, `{"status":"error","message":"upstream timeout"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMultiStatus)
		w.Write([]byte(`{"status":"COMPLETE","startedAt":"2026-05-01T10:00:00Z","completedAt":"2026-05-01T10:00:01Z","numErrors":1,
			"results":[
			 {"id":"902","new":false,"archived":false,"createdAt":"2026-04-01T10:00:00Z","updatedAt":"2026-05-01T10:00:01Z",
			  "objectWriteTraceId":"rec-b","properties":{"zoomsync_call_id":"rec-b","hs_call_title":"B"}},
			 {"id":"901","new":true,"archived":false,"createdAt":"2026-05-01T10:00:01Z","updatedAt":"2026-05-01T10:00:01Z",
			  "objectWriteTraceId":"rec-a","properties":{"zoomsync_call_id":"rec-a","hs_call_title":"A"}}],
			"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid",
			  "context":{"objectWriteTraceId":["rec-c"]}}]}`))
	}))
	defer srv.Close()
	c := NewClient(WithBaseURL(srv.URL), WithToken(testToken), WithTier("unlimited"), WithRetry(2, time.Millisecond, time.Millisecond))
	in := []UpsertInput{
		{ID: "rec-a", IDProperty: CallIDProperty, ObjectWriteTraceID: "rec-a", Properties: map[string]string{"hs_call_title": "A", "hs_timestamp": "2026-05-01T10:00:00Z"}},
		{ID: "rec-b", IDProperty: CallIDProperty, ObjectWriteTraceID: "rec-b", Properties: map[string]string{"hs_call_title": "B", "hs_timestamp": "2026-05-01T10:00:00Z"}},
		{ID: "rec-c", IDProperty: CallIDProperty, ObjectWriteTraceID: "rec-c", Properties: map[string]string{"hs_call_title": "C", "hs_timestamp": "not a time"}},
	}
	out, resp, err := c.Calls.BatchUpsert(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusMultiStatus || calls.Load() != 2 {
		t.Errorf("status %d after %d requests, want 207 after 2 (the 503 retried)", resp.StatusCode, calls.Load())
	}
	for _, b := range bodies {
		var body map[string][]map[string]any
		if err := json.Unmarshal(b, &body); err != nil || len(body) != 1 || len(body["inputs"]) != 3 {
			t.Fatalf("body %s: want {\"inputs\": [3 inputs]} (%v)", b, err)
		}
		for i, x := range body["inputs"] {
			for k := range x {
				if !slices.Contains([]string{"id", "idProperty", "objectWriteTraceId", "properties"}, k) {
					t.Errorf("input %d: field %q is not in SimplePublicObjectBatchInputUpsert", i, k)
				}
			}
			props, ok := x["properties"].(map[string]any)
			if x["id"] != in[i].ID || x["idProperty"] != CallIDProperty || !ok {
				t.Errorf("input %d = %v, want id %s, idProperty %s and properties", i, x, in[i].ID, CallIDProperty)
			}
			for k, v := range props {
				if _, ok := v.(string); !ok {
					t.Errorf("input %d: property %s = %v, want a string", i, k, v)
				}
			}
		}
	}
	got := make([]RowOutcome, len(out))
	for i, o := range out {
		got[i] = RowOutcome{ID: o.ID, Created: o.Created}
		if o.Err != nil {
			got[i].Err = &BatchError{Category: o.Err.Category}
		}
	}
	want := []RowOutcome{{ID: "901", Created: true}, {ID: "902"}, {Err: &BatchError{Category: "VALIDATION_ERROR"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if _, _, err := c.Calls.BatchUpsert(t.Context(), []UpsertInput{{ID: "rec-a"}}); err == nil {
		t.Error("an input without idProperty was sent")
	}
}
