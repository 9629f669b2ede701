package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/render"
)

// echartsJS is Apache ECharts 5.6.0 (dist/echarts.min.js of the npm
// package echarts; Apache License 2.0, see assets/echarts-LICENSE and
// assets/echarts-NOTICE), inlined into every page so that it opens offline.
//
//go:embed assets/echarts.min.js
var echartsJS string

// ChartIDs are the element ids of the page's charts, in page order; a
// test checks that each one drew.
var ChartIDs = []string{"funnel_total", "funnel_webinars", "presence", "percent", "exclusions", "engagement"}

// chart is one chart of the page: its heading, a sentence on what it
// shows, and go-echarts' snippet (a div and the script that draws it).
type chart struct {
	Heading string
	About   string
	Element template.HTML
	Script  template.JS
}

// Render writes the page of d to w.
func Render(w io.Writer, d *Data) (err error) {
	if strings.Contains(echartsJS, "</script") {
		return fmt.Errorf("report: the embedded echarts.min.js cannot be inlined")
	}
	defer func() {
		// go-echarts panics on a template error: a bug, reported as an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("report: rendering the charts: %v", r)
		}
	}()
	page := struct {
		Data    *Data
		Charts  []chart
		ECharts template.JS
	}{Data: d, ECharts: template.JS(echartsJS)} //nolint:gosec // our embedded, checked library
	for _, c := range []struct {
		heading, about string
		r              render.Renderer
	}{
		{"Registration → attendance", "People registered (approved or pending), people who attended at least one instance, and people present for at least half of one, over every webinar of the report.", funnelTotal(d)},
		{"Funnel per webinar", "The same three counts for each webinar.", funnelWebinars(d)},
		{"Attendees present per minute", "For each held instance, the people in the meeting (not the waiting room) at some time in each minute of the instance's report span.", presenceChart(d)},
		{"Attendance percent", "Attendances (a person in an instance) by the share of the instance the person was present.", percentChart(d)},
		{"Left out, by reason", "Audit rows of the last transform by reason: people and data that were not synced (zoomsync audit lists them).", exclusionsChart(d)},
		{"Recordings and engagement", "Per webinar: held instances, recordings, transcripts, Q&A questions, poll and survey answers.", engagementChart(d)},
	} {
		s := c.r.RenderSnippet()
		page.Charts = append(page.Charts, chart{Heading: c.heading, About: c.about,
			Element: template.HTML(s.Element), Script: template.JS(scriptSafe(s.Script))}) //nolint:gosec // go-echarts' JSON, made inert below
	}
	if err := pageTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("report: writing the page: %w", err)
	}
	return nil
}

// scriptSafe keeps the text of a script element from ending it early: in
// go-echarts' option JSON, "</" and "<!--" can occur only inside strings
// (a webinar topic), where "<\/" and "<\!--" read the same to JavaScript.
func scriptSafe(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, `<script type="text/javascript">`)
	s = strings.TrimSuffix(s, `</script>`)
	return strings.NewReplacer("</", `<\/`, "<!--", `<\!--`).Replace(s)
}

// base are the options every chart shares: its element id, the SVG
// renderer (a test can see what drew), no animation (a screenshot shows
// the end state), a tooltip.
func base(id, height string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Renderer: "svg", Width: "1100px", Height: height}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Top: "bottom"}),
	}
}

// label names a webinar on an axis: its topic, shortened, and its id.
func label(id int64, topic string) string {
	if utf8.RuneCountInString(topic) > 32 {
		topic = string([]rune(topic)[:31]) + "…"
	}
	return topic + " (" + strconv.FormatInt(id, 10) + ")"
}

func bars[T any](rows []T, value func(T) int64) []opts.BarData {
	out := make([]opts.BarData, len(rows))
	for i, r := range rows {
		out[i] = opts.BarData{Value: value(r)}
	}
	return out
}

func funnelTotal(d *Data) *charts.Funnel {
	var reg, att, half int64
	for _, r := range d.Funnel {
		reg, att, half = reg+r.Registered, att+r.Attended, half+r.HalfOrMore
	}
	c := charts.NewFunnel()
	c.SetGlobalOptions(append(base("funnel_total", "380px"), charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}))...)
	c.AddSeries("people", []opts.FunnelData{
		{Name: "registered", Value: reg}, {Name: "attended", Value: att}, {Name: "present half or more", Value: half},
	}, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "inside", Formatter: "{b}: {c}"}))
	return c
}

func funnelWebinars(d *Data) *charts.Bar {
	c := charts.NewBar()
	c.SetGlobalOptions(append(base("funnel_webinars", "520px"),
		charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 30, Interval: "0"}}),
		charts.WithGridOpts(opts.Grid{Bottom: "60px", Left: "40px", Right: "20px", ContainLabel: opts.Bool(true)}))...)
	var x []string
	for _, r := range d.Funnel {
		x = append(x, label(r.WebinarID, r.Topic))
	}
	c.SetXAxis(x).
		AddSeries("registered", bars(d.Funnel, func(r FunnelRow) int64 { return r.Registered })).
		AddSeries("attended", bars(d.Funnel, func(r FunnelRow) int64 { return r.Attended })).
		AddSeries("present half or more", bars(d.Funnel, func(r FunnelRow) int64 { return r.HalfOrMore }))
	return c
}

func presenceChart(d *Data) *charts.Line {
	c := charts.NewLine()
	c.SetGlobalOptions(append(base("presence", "520px"),
		charts.WithXAxisOpts(opts.XAxis{Name: "minute", NameLocation: "middle", NameGap: 25}),
		charts.WithYAxisOpts(opts.YAxis{Name: "present"}),
		charts.WithGridOpts(opts.Grid{Bottom: "60px", Left: "40px", Right: "20px", ContainLabel: opts.Bool(true)}))...)
	longest := 0
	for _, p := range d.Presence {
		longest = max(longest, len(p.PerMinute))
	}
	x := make([]int, longest)
	for i := range x {
		x[i] = i
	}
	c.SetXAxis(x)
	for _, p := range d.Presence {
		data := make([]opts.LineData, len(p.PerMinute))
		for i, n := range p.PerMinute {
			data[i] = opts.LineData{Value: n}
		}
		name := label(p.WebinarID, p.Topic) + " " + p.Start.UTC().Format("2006-01-02 15:04")
		c.AddSeries(name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	}
	return c
}

func percentChart(d *Data) *charts.Bar {
	c := charts.NewBar()
	c.SetGlobalOptions(append(base("percent", "400px"),
		charts.WithXAxisOpts(opts.XAxis{Name: "percent present", NameLocation: "middle", NameGap: 30}),
		charts.WithYAxisOpts(opts.YAxis{Name: "attendances"}))...)
	var x []string
	for _, b := range d.Percent {
		x = append(x, fmt.Sprintf("%d–%d %%", b.From, b.To))
	}
	c.SetXAxis(x).AddSeries("attendances", bars(d.Percent, func(b PercentBucket) int64 { return b.Attendances }))
	return c
}

func exclusionsChart(d *Data) *charts.Bar {
	c := charts.NewBar()
	c.SetGlobalOptions(append(base("exclusions", "400px"),
		charts.WithGridOpts(opts.Grid{Left: "20px", Right: "40px", Bottom: "50px", ContainLabel: opts.Bool(true)}))...)
	var y []string
	for _, r := range d.Exclusions {
		y = append(y, r.Reason+" ("+r.Category+")")
	}
	c.SetXAxis(y).AddSeries("rows", bars(d.Exclusions, func(r ReasonCount) int64 { return r.Rows })).XYReversal()
	return c
}

func engagementChart(d *Data) *charts.Bar {
	c := charts.NewBar()
	c.SetGlobalOptions(append(base("engagement", "520px"),
		charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 30, Interval: "0"}}),
		charts.WithGridOpts(opts.Grid{Bottom: "60px", Left: "40px", Right: "20px", ContainLabel: opts.Bool(true)}))...)
	var x []string
	for _, r := range d.Engagement {
		x = append(x, label(r.WebinarID, r.Topic))
	}
	c.SetXAxis(x).
		AddSeries("instances", bars(d.Engagement, func(r EngagementRow) int64 { return r.Instances })).
		AddSeries("recordings", bars(d.Engagement, func(r EngagementRow) int64 { return r.Recordings })).
		AddSeries("transcripts", bars(d.Engagement, func(r EngagementRow) int64 { return r.Transcripts })).
		AddSeries("questions", bars(d.Engagement, func(r EngagementRow) int64 { return r.Questions })).
		AddSeries("poll answers", bars(d.Engagement, func(r EngagementRow) int64 { return r.PollAnswers })).
		AddSeries("survey answers", bars(d.Engagement, func(r EngagementRow) int64 { return r.SurveyAnswers }))
	return c
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>zoomsync report: {{.Data.Scope}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1140px; color: #222; background: #fff; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin: 32px 0 4px; } p.about { color: #555; margin: 0 0 8px; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: right; } td:first-child, th:first-child { text-align: left; }
</style>
<script>{{.ECharts}}</script>
</head>
<body>
<h1>zoomsync report: {{.Data.Scope}}</h1>
<p class="about">Read from the lake at {{.Data.Generated.UTC.Format "2006-01-02 15:04 MST"}}: {{len .Data.Funnel}} webinars, {{len .Data.Presence}} held instances with a report.</p>
<table>
<tr><th>webinar</th><th>registered</th><th>attended</th><th>present half or more</th></tr>
{{- range .Data.Funnel}}
<tr><td>{{.Topic}} ({{.WebinarID}})</td><td>{{.Registered}}</td><td>{{.Attended}}</td><td>{{.HalfOrMore}}</td></tr>
{{- end}}
</table>
{{- range .Charts}}
<section>
<h2>{{.Heading}}</h2>
<p class="about">{{.About}}</p>
{{.Element}}
<script>{{.Script}}</script>
</section>
{{- end}}
</body>
</html>
`))
