package main

import (
	"strings"
	"testing"
)

// TestBackfill_dateMessages: a bad date is a usage error in the format
// people write (not Go's layout), and a range that ends before it starts
// names the --to given, not the day after.
func TestBackfill_dateMessages(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--from", "2026/01/01"}, `--from "2026/01/01": want a date, YYYY-MM-DD (UTC)`, 2},
		{[]string{"--from", "2026-01-01", "--to", "2026-13-01"}, `--to "2026-13-01": want a date, YYYY-MM-DD (UTC)`, 2},
		{[]string{"--from", "2026-02-01", "--to", "2026-01-31"}, "backfill: --from 2026-02-01 is after --to 2026-01-31", 1},
	} {
		_, err := run(t, append([]string{"--data-dir", dir, "backfill"}, c.args...)...)
		if err == nil || err.Error() != c.want || exitCode(err) != c.code || strings.Contains(err.Error(), "2006") {
			t.Errorf("backfill %v: %v (exit %d), want %q (exit %d)", c.args, err, exitCode(err), c.want, c.code)
		}
	}
	if _, err := run(t, "--data-dir", dir, "report", "--since", "yesterday", "--out", "x.html"); err == nil || exitCode(err) != 2 ||
		!strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("report --since yesterday: %v, want a usage error", err)
	}
}
