package hubspottest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseFaults reads a fault spec, as `zoomsync sim hubspot --faults SPEC`
// takes it: comma-separated faults, each `kind[:key=value]...`, e.g.
//
//	429-burst:n=20,5xx:status=503:n=3,reset-after-commit:every=7:route=/crm/v3/objects/calls/*,stall:n=1:for=90s
//
// Kinds are the FaultKind names (429-burst, 429-daily, 423, 5xx, stall,
// malformed, reset, expired-token, reset-after-commit, 504-after-commit,
// truncated-after-commit, 207-partial). Keys:
//
//	n       how many requests to fail (default 1; with every, default no limit); -1 = no limit
//	every   fail every k-th matching request
//	after   let the first k matching requests through
//	route   glob on the request path ('*' matches any run of characters, '/' included); default all
//	method  HTTP method; default all
//	status  5xx only: 500 to 599 (default 500)
//	for     stall only: how long (Go duration, default 1m)
//	rows    207-partial only: inputs to fail per request (default 1)
//
// An unknown kind or key, a key given twice, a key that does not apply to
// the kind or a bad value is an error naming it. An empty spec is no fault.
func ParseFaults(spec string) ([]Fault, error) {
	var out []Fault
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		f, err := parseFault(item)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", item, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// faultKeys are the keys each kind takes beyond the common ones.
var faultKeys = map[FaultKind][]string{Fault5xx: {"status"}, FaultStall: {"for"}, Fault207Partial: {"rows"}}

func parseFault(item string) (Fault, error) {
	name, rest, _ := strings.Cut(item, ":")
	var f Fault
	for k, n := range faultNames {
		if n == name {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		names := make([]string, 0, len(faultNames))
		for _, n := range faultNames {
			names = append(names, n)
		}
		slices.Sort(names)
		return Fault{}, fmt.Errorf("unknown fault kind %q (kinds: %s)", name, strings.Join(names, ", "))
	}
	seen := map[string]bool{}
	nSet := false
	for kv := range strings.SplitSeq(rest, ":") {
		if rest == "" {
			break
		}
		key, value, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return Fault{}, fmt.Errorf("%q is not key=value", kv)
		}
		if seen[key] {
			return Fault{}, fmt.Errorf("key %s given twice", key)
		}
		seen[key] = true
		if err := setFaultKey(&f, key, value); err != nil {
			return Fault{}, err
		}
		nSet = nSet || key == "n"
	}
	if f.Every > 1 && !nSet {
		f.Times = -1
	}
	return f, nil
}

// setFaultKey sets one key=value of a fault spec.
func setFaultKey(f *Fault, key, value string) error {
	switch key {
	case "n", "every", "after", "rows", "status":
	case "route":
		f.Route = value
		return nil
	case "method":
		f.Method = strings.ToUpper(value)
		return nil
	case "for":
		if !slices.Contains(faultKeys[f.Kind], key) {
			return fmt.Errorf("key for does not apply to fault kind %s", f.Kind)
		}
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("for=%q is not a positive duration", value)
		}
		f.Stall = d
		return nil
	default:
		return fmt.Errorf("unknown key %q (keys: n, every, after, route, method, status, for, rows)", key)
	}
	if (key == "rows" || key == "status") && !slices.Contains(faultKeys[f.Kind], key) {
		return fmt.Errorf("key %s does not apply to fault kind %s", key, f.Kind)
	}
	v, err := strconv.Atoi(value)
	switch {
	case err != nil:
		return fmt.Errorf("%s=%q is not a number", key, value)
	case key == "n" && (v == 0 || v < -1):
		return fmt.Errorf("n=%d: use a count of 1 or more, or -1 for no limit", v)
	case key == "status" && (v < 500 || v > 599):
		return fmt.Errorf("status=%d is not a 5xx status", v)
	case key != "n" && key != "status" && v < 0, (key == "every" || key == "rows") && v == 0:
		return fmt.Errorf("%s=%d is out of range", key, v)
	}
	switch key {
	case "n":
		f.Times = v
	case "every":
		f.Every = v
	case "after":
		f.After = v
	case "rows":
		f.Rows = v
	case "status":
		f.Status = v
	}
	return nil
}
