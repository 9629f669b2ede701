package syncdiff

import (
	"strings"
	"testing"
)

// TestDiff: a missing object, a doubled one and a changed value are each a
// difference; equal states have none.
func TestDiff(t *testing.T) {
	want := State{}
	want.add("contact a@x.com", map[string]string{"n": "1"})
	want.add("contact b@x.com", map[string]string{"n": "2"})
	want.add("call r1", "p")
	if lines, n := Diff(want, want, 0); n != 0 {
		t.Fatalf("a state differs from itself: %q", lines)
	}
	got := State{}
	got.add("contact a@x.com", map[string]string{"n": "9"})
	got.add("call r1", "p")
	got.add("call r1", "p") // doubled
	lines, n := Diff(want, got, 0)
	if n != 3 {
		t.Fatalf("%d differences, want 3: %q", n, lines)
	}
	all := strings.Join(lines, "\n")
	for _, w := range []string{"extra:   call r1#2", "differs: contact a@x.com", "missing: contact b@x.com"} {
		if !strings.Contains(all, w) {
			t.Errorf("differences %q lack %q", all, w)
		}
	}
	if lines, n := Diff(want, got, 1); n != 3 || len(lines) != 1 {
		t.Errorf("max 1: %d lines, total %d; want 1 and 3", len(lines), n)
	}
	if c := got.Count(); c["call"] != 2 || c["contact"] != 1 {
		t.Errorf("Count = %v", c)
	}
}
