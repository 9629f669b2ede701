// Package reporttest opens a report page in headless Chromium (Debian's
// chromium package) and tells what each chart drew, for the tests of
// internal/report and of zoomsync report.
package reporttest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/zoomsync/zoomsync/internal/report"
)

// Chromium returns the path of a Chromium binary. Without one the test is
// skipped, saying why, except under CI=true, where it fails: CI installs
// chromium (.ci/run).
func Chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: .ci/run installs Debian's chromium package; a report test cannot run without it")
	}
	t.Skip("chromium is not installed (apt-get install chromium): the report is not rendered")
	return ""
}

// run runs headless Chromium on the page with the given extra arguments
// and returns its standard output.
func run(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=10000"}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+filepath.ToSlash(abs))...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// Shapes loads the page in headless Chromium, after its scripts ran, and
// returns for each chart id of report.ChartIDs the number of SVG shapes
// (path, rect, circle, polyline, polygon) in a series colour (palette)
// drawn inside the chart's element: bars, lines, funnel pieces and their
// legend icons, not axes or labels;
// a chart that drew nothing, or whose element is missing, counts 0. It
// also saves a screenshot of the whole page to screenshot.
func Shapes(t *testing.T, page, screenshot string) map[string]int {
	t.Helper()
	bin := Chromium(t)
	dom := run(t, bin, page, "--dump-dom")
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatalf("parsing the DOM chromium dumped: %v", err)
	}
	got := map[string]int{}
	var walk func(n *html.Node, chart string, inSVG bool)
	walk = func(n *html.Node, chart string, inSVG bool) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "id" && isChart(a.Val) {
					chart = a.Val
					got[chart] += 0
				}
			}
			inSVG = inSVG || n.Data == "svg"
			switch n.Data {
			case "path", "rect", "circle", "polyline", "polygon":
				if chart != "" && inSVG && seriesColoured(n) {
					got[chart]++
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, chart, inSVG)
		}
	}
	walk(doc, "", false)
	run(t, bin, page, "--window-size=1200,3800", "--screenshot="+screenshot)
	if st, err := os.Stat(screenshot); err != nil || st.Size() == 0 {
		t.Fatalf("chromium wrote no screenshot at %s: %v", screenshot, err)
	}
	return got
}

// palette is ECharts' default series palette: a shape filled or stroked
// in one of these colours is a series' bar, line, funnel piece or legend
// icon, not an axis, grid line or label.
var palette = map[string]bool{"#5470c6": true, "#91cc75": true, "#fac858": true, "#ee6666": true, "#73c0de": true,
	"#3ba272": true, "#fc8452": true, "#9a60b4": true, "#ea7ccc": true}

func seriesColoured(n *html.Node) bool {
	for _, a := range n.Attr {
		if (a.Key == "fill" || a.Key == "stroke") && palette[strings.ToLower(a.Val)] {
			return true
		}
	}
	return false
}

func isChart(id string) bool {
	for _, c := range report.ChartIDs {
		if id == c {
			return true
		}
	}
	return false
}

// MinShapes is, for each chart, the fewest shapes a chart of d draws when
// it drew its data: a trapezoid per funnel stage, a bar per value above
// zero, a line per instance.
func MinShapes(d *report.Data) map[string]int {
	nonZero := func(vals ...int64) int {
		n := 0
		for _, v := range vals {
			if v > 0 {
				n++
			}
		}
		return n
	}
	m := map[string]int{"funnel_total": 3, "presence": len(d.Presence), "exclusions": len(d.Exclusions)}
	for _, r := range d.Funnel {
		m["funnel_webinars"] += nonZero(r.Registered, r.Attended, r.HalfOrMore)
	}
	for _, b := range d.Percent {
		m["percent"] += nonZero(b.Attendances)
	}
	for _, r := range d.Engagement {
		m["engagement"] += nonZero(r.Instances, r.Recordings, r.Transcripts, r.Questions, r.PollAnswers, r.SurveyAnswers)
	}
	return m
}

// CheckDrawn fails the test for each chart of the page with fewer shapes
// than want says, and says where the screenshot is.
func CheckDrawn(t *testing.T, got, want map[string]int, screenshot string) {
	t.Helper()
	for _, id := range report.ChartIDs {
		if got[id] == 0 || got[id] < want[id] {
			t.Errorf("chart %s drew %d SVG shapes, want at least max(1, %d)", id, got[id], want[id])
		}
	}
	t.Logf("shapes drawn per chart: %v; screenshot: %s (kept with go test -artifacts)", got, screenshot)
}
