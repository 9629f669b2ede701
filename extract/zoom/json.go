package zoom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The API types keep time.Time and int64 fields; their UnmarshalJSON methods
// decode through these tolerant helpers, because Zoom sends "" for unset
// times and the spec is inconsistent on whether ids are numbers or strings.

// jsonTime decodes an RFC 3339 time (fractional seconds allowed), with ""
// and null as the zero time.
type jsonTime time.Time

func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time %s: %w", b, err)
	}
	if s == "" {
		*t = jsonTime{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// Some payloads drop the zone; Zoom times are UTC.
		v2, err2 := time.ParseInLocation("2006-01-02T15:04:05", s, time.UTC)
		if err2 != nil {
			return fmt.Errorf("time %q: %w", s, err)
		}
		v = v2
	}
	*t = jsonTime(v)
	return nil
}

// jsonInt64 decodes a JSON number or a numeric string; "" and null are 0.
type jsonInt64 int64

func (n *jsonInt64) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*n = 0
			return nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("id %s is not an integer", b)
	}
	*n = jsonInt64(v)
	return nil
}
