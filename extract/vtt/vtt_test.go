package vtt

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update want files in testdata")

// cueJSON is how want.json shows a Cue: timestamps as in the VTT file, so
// the file checks by eye against input.vtt.
type cueJSON struct {
	Seq     int    `json:"seq"`
	ID      string `json:"id,omitempty"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Speaker string `json:"speaker,omitempty"`
	Text    string `json:"text"`
}

func toJSON(cues []Cue) []cueJSON {
	out := []cueJSON{}
	for _, c := range cues {
		out = append(out, cueJSON{c.Seq, c.ID, formatTimestamp(c.Start), formatTimestamp(c.End), c.Speaker, c.Text})
	}
	return out
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestParseLenient_golden runs every testdata/<case>/input.vtt and compares
// with want.json (cues), want_problems.json, want.txt (Text) and, for a
// rejected file, want_error.txt. Regenerate with go test ./extract/vtt -update.
func TestParseLenient_golden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*/input.vtt")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, input := range inputs {
		dir := filepath.Dir(input)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			haveInput, err := os.ReadFile(input)
			if err != nil {
				t.Fatal(err)
			}
			cues, problems, err := ParseLenient(bytes.NewReader(haveInput))
			if problems == nil {
				problems = []ParseError{}
			}
			got := map[string][]byte{
				"want.json":          marshal(t, toJSON(cues)),
				"want_problems.json": marshal(t, problems),
				"want.txt":           []byte(Text(cues)),
			}
			if err != nil {
				got["want_error.txt"] = []byte(err.Error() + "\n")
			}
			if *update {
				os.Remove(filepath.Join(dir, "want_error.txt"))
				for name, b := range got {
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			for _, name := range []string{"want.json", "want_problems.json", "want.txt", "want_error.txt"} {
				want, err := os.ReadFile(filepath.Join(dir, name))
				if errors.Is(err, os.ErrNotExist) {
					want = nil
				} else if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), string(got[name])); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}

func TestParse_problemsJoined(t *testing.T) {
	t.Parallel()
	in := "WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\n00:03.000 --> 00:02.000\nbackwards\n\nstray text\n"
	cues, err := Parse(strings.NewReader(in))
	if diff := cmp.Diff([]Cue{{Seq: 1, Start: time.Second, End: 2 * time.Second, Text: "ok"}}, cues); diff != "" {
		t.Errorf("cues mismatch (-want +got):\n%s", diff)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 6 {
		t.Fatalf("err = %v, want a *ParseError for line 6 first", err)
	}
	want := "vtt: line 6: cue skipped: end 00:00:02.000 is before start 00:00:03.000\n" +
		"vtt: line 9: block skipped: no cue timing line"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestParse_rejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		haveInput io.Reader
		wantIs    error
	}{
		{"empty", strings.NewReader(""), ErrNoHeader},
		{"bomOnly", strings.NewReader("\uFEFF"), ErrNoHeader},
		{"html", strings.NewReader("<html>"), ErrNoHeader},
		{"webvttSuffix", strings.NewReader("WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n"), ErrNoHeader},
		{"lowercase", strings.NewReader("webvtt\n"), ErrNoHeader},
		{"tooLarge", io.MultiReader(strings.NewReader("WEBVTT\n\n"), io.LimitReader(zeros{}, MaxSize)), ErrTooLarge},
		{"readError", iotestErrReader{}, errRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cues, err := Parse(tt.haveInput)
			if cues != nil || !errors.Is(err, tt.wantIs) {
				t.Errorf("Parse = %v, %v; want nil, %v", cues, err, tt.wantIs)
			}
		})
	}
}

func TestParse_headerVariants(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"WEBVTT",
		"WEBVTT\n",
		"WEBVTT\tKind: captions",
		"\uFEFFWEBVTT - title\r\nKind: captions\r\n\r\n",
		"WEBVTT\n00:01.000 --> 00:02.000\nno blank line after the header", // the spec reads this cue
	} {
		cues, problems, err := ParseLenient(strings.NewReader(in))
		if err != nil || len(problems) != 0 || cues == nil {
			t.Errorf("ParseLenient(%q) = %v, %v, %v; want cues and no problems", in, cues, problems, err)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

var errRead = errors.New("connection reset")

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errRead }

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		have string
		want time.Duration
		ok   bool
	}{
		{"00:01.000", time.Second, true},
		{"59:59.999", 59*time.Minute + 59*time.Second + 999*time.Millisecond, true},
		{"00:00:01.230", 1230 * time.Millisecond, true},
		{"1:00:00.000", time.Hour, true},
		{"100:00:00.000", 100 * time.Hour, true},
		{"60:00.000", 0, false}, // 60 as first field means hours, then seconds are missing
		{"60:00:00.000", 60 * time.Hour, true},
		{"00:60.000", 0, false},
		{"00:00:60.000", 0, false},
		{"00:60:00.000", 0, false},
		{"0:01.000", 0, false},
		{"00:01.00", 0, false},
		{"00:01.0000", 0, false},
		{"00:01,000", 0, false},
		{"00:01", 0, false},
		{"", 0, false},
		{"2562046:00:00.000", 2562046 * time.Hour, true},
		{"2562047:00:00.000", 0, false},
		{"99999999999999999999999:00:00.000", 0, false},
	}
	for _, tt := range tests {
		got, _, ok := parseTimestamp(tt.have, 0)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseTimestamp(%q) = %v, %v; want %v, %v", tt.have, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSplitSpeaker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		have        string
		wantSpeaker string
		wantRest    string
	}{
		{"Ana Silva: Welcome.", "Ana Silva", "Welcome."},
		{"Ana Silva:", "Ana Silva", ""},
		{"Silva, Ana: hi", "Silva, Ana", "hi"},
		{"Dr. Ana Silva: hi", "Dr. Ana Silva", "hi"},
		{"J. R. Smith: hi", "J. R. Smith", "hi"},
		{"J.R. Smith: hi", "J.R. Smith", "hi"},
		{"Ana S.: hi", "Ana S.", "hi"},
		{"Émile Ö. Zola: salut", "Émile Ö. Zola", "salut"},
		{"ana.silva@example.com: hi", "ana.silva@example.com", "hi"},
		{"Note: this is ambiguous", "Note", "this is ambiguous"}, // documented: read as a speaker
		{"Okay. So: yes", "", ""},
		{"Why? Because: yes", "", ""},
		{"Wait; then: yes", "", ""},
		{"We meet at 10:30 tomorrow", "", ""},
		{"https://example.com", "", ""},
		{": no name", "", ""},
		{"No colon at all", "", ""},
		{strings.Repeat("x", 60) + ": sixty", strings.Repeat("x", 60), "sixty"},
		{strings.Repeat("x", 61) + ": sixty-one", "", ""},
	}
	for _, tt := range tests {
		speaker, rest, ok := splitSpeaker(tt.have)
		if speaker != tt.wantSpeaker || rest != tt.wantRest || ok != (tt.wantSpeaker != "") {
			t.Errorf("splitSpeaker(%q) = %q, %q, %v; want %q, %q", tt.have, speaker, rest, ok, tt.wantSpeaker, tt.wantRest)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	haveCues := []Cue{
		{Speaker: "Ana", Text: "Hello."},
		{Speaker: "Ana", Text: "Two\nlines."},
		{Speaker: "Bob", Text: ""},
		{Speaker: "Bob", Text: "Hi."},
		{Text: "Caption one."},
		{Text: "Caption two."},
		{Speaker: "Ana", Text: "Back."},
	}
	want := "Ana: Hello. Two lines.\nBob: Hi.\nCaption one.\nCaption two.\nAna: Back.\n"
	if diff := cmp.Diff(want, Text(haveCues)); diff != "" {
		t.Errorf("Text mismatch (-want +got):\n%s", diff)
	}
	if got := Text(nil); got != "" {
		t.Errorf("Text(nil) = %q, want empty", got)
	}
}

// TestParseLenient_linear feeds inputs that a naive tag or line scanner
// would take quadratic time or memory on.
func TestParseLenient_linear(t *testing.T) {
	if raceEnabled {
		t.Skip("a wall-time bound: the race detector's slowdown would fail it (make test runs it without)")
	}
	t.Parallel()
	for name, body := range map[string]string{
		"unclosedTags": strings.Repeat("<a", 1<<20),
		"ampersands":   strings.Repeat("&amp", 1<<20),
		"newlines":     strings.Repeat("\n", 1<<22),
	} {
		in := "WEBVTT\n\n00:01.000 --> 00:02.000\n" + body
		start := time.Now()
		if _, _, err := ParseLenient(strings.NewReader(in)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
}

// FuzzParse checks that no input panics and that the cues keep their
// invariants. Seeds: every golden input (and testdata/fuzz/FuzzParse).
func FuzzParse(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*/input.vtt")
	for _, input := range inputs {
		b, err := os.ReadFile(input)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"WEBVTT\r\r\r00:00.000-->00:00.000",
		"WEBVTT\n\n99999999:00:00.000 --> 2562047:00:00.000\nx",
		"WEBVTT\n\n00:01.000 --> 00:02.000\n<v\t&#x110000;>&#0;&#xD800;&#;&amp\n<",
		"\uFEFF\uFEFFWEBVTT",
		"WEBVTT\x00\n\nNOTE -->\n-->\n\xff:",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cues, problems, err := ParseLenient(bytes.NewReader(data))
		if err != nil {
			if cues != nil || problems != nil {
				t.Fatalf("error %v with cues or problems", err)
			}
			if !errors.Is(err, ErrNoHeader) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if cues == nil {
			t.Fatal("nil cues without error")
		}
		lines := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))
		for i, c := range cues {
			if c.Seq != i+1 {
				t.Fatalf("cue %d: Seq = %d", i, c.Seq)
			}
			if c.Start < 0 || c.End < c.Start {
				t.Fatalf("cue %d: Start %v, End %v", i, c.Start, c.End)
			}
			for _, s := range []string{c.ID, c.Speaker, c.Text} {
				if !utf8.ValidString(s) {
					t.Fatalf("cue %d: invalid UTF-8 %q", i, s)
				}
			}
			if strings.ContainsAny(c.ID+c.Speaker, "\r\n") || strings.Contains(c.ID, "-->") {
				t.Fatalf("cue %d: bad ID %q or Speaker %q", i, c.ID, c.Speaker)
			}
		}
		prev := 0
		for _, p := range problems {
			if p.Line <= prev || p.Line > lines {
				t.Fatalf("problem line %d (previous %d, %d lines)", p.Line, prev, lines)
			}
			prev = p.Line
		}
		_ = Text(cues)
		parsed, perr := Parse(bytes.NewReader(data))
		if len(parsed) != len(cues) || (perr != nil) != (len(problems) > 0) {
			t.Fatalf("Parse disagrees with ParseLenient: %d cues, %v", len(parsed), perr)
		}
	})
}
