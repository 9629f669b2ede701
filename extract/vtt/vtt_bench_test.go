package vtt

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// largeTranscript is a WebVTT file of n cues in the shapes Zoom writes:
// audio transcripts with "Name: " speaker prefixes and closed captions with
// <v> voice tags, a few multi-line cues with entities and cue settings, a
// NOTE block every thousand cues, CRLF line endings in half the file.
func largeTranscript(n int) []byte {
	speakers := []string{"Ana Silva", "Bob Jones", "Dr. María José O'Neil-Ortega", "Kwame Mensah", "Silva, Ana"}
	lines := []string{
		"Welcome everyone to the roadmap webinar, thanks for joining us today.",
		"First, the Q3 numbers: revenue is up 12% and churn is down.",
		"Can you share the slide link? It's at https://example.com/q3",
		"Okay. So: yes, we will send the recording &amp; the slides afterwards.",
		"Let's take a few questions from the Q&amp;A before we move on &lt;3",
	}
	var b bytes.Buffer
	b.WriteString("\uFEFFWEBVTT - Zoom transcript\n\n")
	nl := "\n"
	for k := range n {
		if k == n/2 {
			nl = "\r\n"
		}
		if k%1000 == 999 {
			fmt.Fprintf(&b, "NOTE segment %d%s%s", k/1000, nl, nl)
		}
		start := time.Duration(k) * 2500 * time.Millisecond
		end := start + 2*time.Second
		fmt.Fprintf(&b, "%d%s%s --> %s", k+1, nl, stamp(start), stamp(end))
		if k%7 == 0 {
			b.WriteString(" align:start position:10%")
		}
		b.WriteString(nl)
		sp, text := speakers[k%len(speakers)], lines[k%len(lines)]
		switch k % 4 {
		case 0, 1:
			fmt.Fprintf(&b, "%s: %s%s", sp, text, nl)
		case 2:
			fmt.Fprintf(&b, "<v %s>%s</v>%s", sp, text, nl)
		default:
			fmt.Fprintf(&b, "%s: %s%s<i>%s</i>%s", sp, text, nl, lines[(k+1)%len(lines)], nl)
		}
		b.WriteString(nl)
	}
	return b.Bytes()
}

func stamp(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// BenchmarkParse_largeTranscript parses a transcript of 100,000 cues (about 14 MB,
// a 70-hour transcript; a real one-hour webinar is a few hundred KB).
// MB/s is the input's throughput.
func BenchmarkParse_largeTranscript(b *testing.B) {
	data := largeTranscript(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var cues []Cue
	for b.Loop() {
		var err error
		cues, err = Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if len(cues) != 100_000 || cues[1].Speaker == "" || strings.Contains(cues[2].Text, "<") {
		b.Fatalf("parsed %d cues; cue 2 %+v, cue 3 %+v", len(cues), cues[1], cues[2])
	}
	b.ReportMetric(float64(len(cues))*float64(b.N)/b.Elapsed().Seconds(), "cues/s")
	b.ReportMetric(float64(len(data))/1e6, "input_MB")
}
