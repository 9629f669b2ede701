package load

import (
	"encoding/json"
	"maps"
	"slices"
)

// DiffRow is one object that a dry run would send, or would skip (zoomsync
// sync --dry-run --diff). Unchanged objects are not told.
type DiffRow struct {
	ObjectType string
	Key        string // the object's load_state key
	Action     string // OutcomeCreated, OutcomeUpdated or OutcomeSkipped
	Reason     string // why a skipped object is not sent
	// Values is what would be sent, flattened: nested fields joined with
	// dots ("properties.zoom_total_webinars_attended"), lists as JSON.
	Values map[string]string
}

// Fields returns the names of Values, sorted.
func (d DiffRow) Fields() []string { return slices.Sorted(maps.Keys(d.Values)) }

// tell passes a dry run's decision on one object to the diff hook.
func (r *recorder) tell(objectType, key, action, reason string, in any) {
	if r.diff == nil || !r.dryRun {
		return
	}
	d := DiffRow{ObjectType: objectType, Key: key, Action: action, Reason: reason}
	if in != nil {
		d.Values = flatten(in)
	}
	r.diff(d)
}

// flatten turns what is sent into field → value text.
func flatten(in any) map[string]string {
	b, err := json.Marshal(in)
	if err != nil {
		return map[string]string{"": err.Error()}
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return map[string]string{"": string(b)}
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "objectWriteTraceId" {
					continue // the batch's bookkeeping, not the object's
				}
				if prefix != "" {
					k = prefix + "." + k
				}
				walk(k, x)
			}
		case string:
			out[prefix] = v
		case nil:
			out[prefix] = ""
		default:
			b, _ := json.Marshal(v)
			out[prefix] = string(b)
		}
	}
	walk("", v)
	return out
}
