package zoomtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseFaults parses a fault spec, as `zoomsync sim zoom --faults SPEC` takes it:
// comma-separated faults, each `kind[:key=value]...`, e.g.
//
//	429:n=20:retry-after=1,5xx:status=503:n=3,reset-mid-body:every=7,stall:n=1:for=90s
//
// Kinds are the names of the FaultKind constants: 429, daily-429, 5xx, latency, stall,
// expire-token, expired-page-token, malformed, reset, reset-mid-body. Keys of every kind:
//
//	n            how many times: a positive integer or "inf" (default 1; inf when every is given)
//	every        hit every k-th matching request (Fault.Every)
//	after        let this many matching requests through first (Fault.After)
//	route        glob on the path, "*" matching any run of characters (Fault.Route; default
//	             all API requests; "/oauth*" the token endpoint, "/rec/*" recording downloads)
//	method       an HTTP method (default any)
//	mid-listing  true: only the later pages of a listing, requests carrying a
//	             next_page_token (Fault.MidListing), e.g. expire-token:mid-listing=true
//
// Keys of some kinds: retry-after (429: seconds, or a duration such as 1500ms), status
// (5xx: 500-599), for (latency, stall: a duration). An unknown kind or key, a key the kind
// does not take, or a bad value is an error naming it. An empty spec is no fault.
func ParseFaults(spec string) ([]Fault, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	var out []Fault
	for i, item := range strings.Split(spec, ",") {
		f, err := parseFault(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("fault %d %q: %w", i+1, strings.TrimSpace(item), err)
		}
		out = append(out, f)
	}
	return out, nil
}

// faultKeys are the keys each kind takes beside the common ones.
var faultKeys = map[FaultKind][]string{
	FaultQPS429:  {"retry-after"},
	Fault5xx:     {"status"},
	FaultLatency: {"for"},
	FaultStall:   {"for"},
}

func parseFault(item string) (Fault, error) {
	parts := strings.Split(item, ":")
	var f Fault
	for k, name := range faultKinds {
		if name == parts[0] {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return f, fmt.Errorf("unknown fault kind %q (want one of %s)", parts[0], kindNames())
	}
	seen := map[string]bool{}
	for _, kv := range parts[1:] {
		key, val, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return f, fmt.Errorf("%q is not key=value", kv)
		}
		if seen[key] {
			return f, fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		if err := setFaultKey(&f, key, val); err != nil {
			return f, err
		}
	}
	if seen["every"] && !seen["n"] {
		f.Times = -1
	}
	return f, nil
}

func kindNames() string {
	var names []string
	for _, n := range faultKinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// setFaultKey sets the field of key from val.
func setFaultKey(f *Fault, key, val string) error {
	var err error
	switch key {
	case "n":
		if val == "inf" {
			f.Times = -1
		} else {
			f.Times, err = intIn(val, 1, -1)
		}
	case "every":
		f.Every, err = intIn(val, 1, -1)
	case "after":
		f.After, err = intIn(val, 0, -1)
	case "route":
		if val == "" || !strings.HasPrefix(val, "/") && !strings.HasPrefix(val, "*") {
			err = fmt.Errorf("want a path glob starting with / or *")
		}
		f.Route = val
	case "mid-listing":
		f.MidListing, err = strconv.ParseBool(val)
	case "method":
		if val == "" || strings.ToUpper(val) != strings.Map(upperLetter, val) {
			err = fmt.Errorf("want an HTTP method")
		}
		f.Method = strings.ToUpper(val)
	default:
		if !slices.Contains(faultKeys[f.Kind], key) {
			if !slices.Contains(kindKeys(), key) {
				return fmt.Errorf("unknown key %q", key)
			}
			return fmt.Errorf("key %q does not apply to %s", key, f.Kind)
		}
		err = setKindKey(f, key, val)
	}
	if err != nil {
		return fmt.Errorf("%s=%q: %w", key, val, err)
	}
	return nil
}

// setKindKey sets one of the keys of faultKeys.
func setKindKey(f *Fault, key, val string) error {
	var err error
	switch key {
	case "retry-after":
		f.RetryAfter, err = seconds(val)
	case "status":
		f.Status, err = intIn(val, 500, 599)
	case "for":
		f.Latency, err = time.ParseDuration(val)
		if err == nil && f.Latency <= 0 {
			err = fmt.Errorf("want a positive duration")
		}
	}
	return err
}

// kindKeys lists every kind-specific key.
func kindKeys() []string {
	var out []string
	for _, keys := range faultKeys {
		out = append(out, keys...)
	}
	return out
}

// upperLetter keeps ASCII letters, upper-cased, and drops the rest.
func upperLetter(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r
	case r >= 'a' && r <= 'z':
		return r - 'a' + 'A'
	}
	return -1
}

// intIn parses an integer in [lo, hi] (hi < 0: no upper bound).
func intIn(val string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(val)
	switch {
	case err != nil:
		return 0, fmt.Errorf("not an integer")
	case n < lo:
		return 0, fmt.Errorf("below %d", lo)
	case hi >= 0 && n > hi:
		return 0, fmt.Errorf("above %d", hi)
	}
	return n, nil
}

// seconds parses whole seconds ("1") or a duration ("1500ms"), not negative.
func seconds(val string) (time.Duration, error) {
	if n, err := strconv.Atoi(val); err == nil {
		val = strconv.Itoa(n) + "s"
	}
	d, err := time.ParseDuration(val)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want seconds or a duration, not negative")
	}
	return d, nil
}
