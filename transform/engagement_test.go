package transform

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/schema"
)

// engagementCase is the golden case of the engagement views (issue 11).
const engagementCase = "engagement-qa-polls-surveys"

// engagementViews are the documented engagement views, each with the
// order its want_<view>.json rows are in.
var engagementViews = []struct{ view, order string }{
	{"questions", "instance_uuid, question"},
	{"poll_answers", "instance_uuid, poll, email NULLS LAST, answered_at"},
	{"survey_answers", "instance_uuid, email, question_id"},
	{"registration_sources", "webinar_id, source"},
	{"engagement", "email, instance_uuid"},
}

// runEngagementCase runs the embedded SQL over the engagement case's lake
// and returns the engine (closed by the test's cleanup).
func runEngagementCase(t *testing.T) *Engine {
	t.Helper()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	writeRawFixtures(t, lake, filepath.Join("testdata", engagementCase, "raw"))
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if _, err := e.Run(ctx, goldenRunID); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEngagementViews_golden compares each engagement view of the case's
// lake (as JSON objects, one per row) with want_<view>.json; derivation.md
// derives every row by hand.
func TestEngagementViews_golden(t *testing.T) {
	t.Parallel()
	e := runEngagementCase(t)
	for _, v := range engagementViews {
		rows, err := e.DB().QueryContext(context.Background(),
			"SELECT CAST(to_json(t) AS VARCHAR) FROM (SELECT * FROM "+v.view+" ORDER BY "+v.order+") t")
		if err != nil {
			t.Fatalf("%s: %v", v.view, err)
		}
		have := []map[string]any{}
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				t.Fatal(err)
			}
			var row map[string]any
			if err := json.Unmarshal([]byte(text), &row); err != nil {
				t.Fatalf("%s: %v", v.view, err)
			}
			have = append(have, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		golden(t, filepath.Join("testdata", engagementCase, "want_"+v.view+".json"), have)
	}
}

// TestReadme_beyondHubSpotQueries runs every sql block of the README's
// "Beyond HubSpot's integration" section on the engagement case's lake:
// each must bind and run, and those that do not depend on today's date
// must return rows.
func TestReadme_beyondHubSpotQueries(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## Beyond HubSpot's integration\n")
	if start < 0 {
		t.Fatal(`README has no "## Beyond HubSpot's integration" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	blocks := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) < 3 {
		t.Fatalf("the section has %d sql blocks, want 3", len(blocks))
	}
	e := runEngagementCase(t)
	for i, m := range blocks {
		var n int
		if err := e.DB().QueryRowContext(context.Background(), "SELECT count(*) FROM ("+strings.TrimSuffix(strings.TrimSpace(m[1]), ";")+")").Scan(&n); err != nil {
			t.Errorf("README block %d: %v\n%s", i+1, err, m[1])
			continue
		}
		if n == 0 && !strings.Contains(m[1], "current_date") {
			t.Errorf("README block %d returns no rows on %s:\n%s", i+1, engagementCase, m[1])
		}
	}
}
