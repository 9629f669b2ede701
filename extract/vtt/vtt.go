// Package vtt parses WebVTT files, the format of Zoom's audio transcripts
// (recording_type audio_transcript) and closed captions (file_type CC), into
// timed cues (zoom-api.md §6.12, §6.14).
//
// Parsing follows the W3C WebVTT parser where it matters for transcripts:
// an optional UTF-8 BOM; a "WEBVTT" first line, optionally followed by a
// space or tab and any text, then optional header lines; CRLF, CR or LF line
// endings; optional cue identifiers; timestamps with or without hours (hours
// may have any number of digits); cue settings after the end timestamp,
// ignored; NOTE, STYLE and REGION blocks, skipped. A line containing "-->"
// that is neither a block's first line nor the line after a cue identifier
// ends the block and starts a new one, as in the spec.
//
// Deliberate departures, for robustness: a line holding only spaces and tabs
// counts as blank (it separates blocks); invalid UTF-8 and NUL become U+FFFD;
// a "<" starts a tag only when a letter, digit or "/" follows it and a ">"
// closes it on the same line, otherwise it is literal text ("a < b" survives).
package vtt

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxSize is the largest input, in bytes, that Parse and ParseLenient accept.
// Zoom transcripts run to a few hundred KiB for a long webinar.
const MaxSize = 64 << 20

// maxSpeakerLen is the longest "Name: " prefix, in runes, taken as a speaker.
const maxSpeakerLen = 60

// Sentinels for errors.Is.
var (
	// ErrNoHeader: the input is empty or does not start with "WEBVTT"
	// (after an optional BOM); typically an HTML or JSON error page.
	ErrNoHeader = errors.New("vtt: missing WEBVTT header")
	// ErrTooLarge: the input is over MaxSize bytes.
	ErrTooLarge = errors.New("vtt: input too large")
)

// Cue is one timed piece of text.
type Cue struct {
	Seq        int    // 1-based position among the cues returned for the file
	ID         string // the cue identifier line, "" if absent
	Start, End time.Duration
	// Speaker comes from the first "<v Name>" tag, or else from a leading
	// "Name: " prefix on the cue's first line (see Parse for the rule).
	Speaker string
	// Text is the cue text without tags and without the speaker prefix,
	// entities decoded, each line trimmed, lines joined with "\n". It may be
	// "" (a cue with no text, or only a speaker).
	Text string
}

// ParseError reports one skipped block: a cue with a malformed timing line,
// a cue ending before it starts, or a text block without a timing line.
type ParseError struct {
	Line int // 1-based line of the timing line, or of the block's first line
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("vtt: line %d: %s", e.Line, e.Msg) }

// Parse reads a WebVTT file and returns its cues.
//
// It is strict about the file and lenient per cue: an empty file or one
// without the WEBVTT header returns nil and an error matching ErrNoHeader; an
// input over MaxSize returns an error matching ErrTooLarge. A malformed cue
// is skipped: Parse then returns every good cue together with a non-nil
// error that joins one *ParseError per skipped block (errors.As finds the
// first). So a nil cue slice means the file was rejected as a whole.
//
// Speaker rule. A "<v Name>" tag always names the speaker. Otherwise the text
// before the first ":" of the cue's first line is a speaker when the colon
// is followed by a space, a tab or the end of the line, the prefix is 1 to 60
// runes, and it holds no sentence punctuation: none of "!?;…", and no "."
// followed by a space unless it ends an initial or a title ("J. ", "Dr. ",
// "Prof. ", …). So "Ana Silva: hi", "Dr. Ana Silva: hi" and "Silva, Ana: hi"
// have speakers; "Okay. So: yes", "Why? Because: …" and "at 10:30 we" do
// not. A one-word lead-in like "Note: this matters" is indistinguishable
// from a name and is read as speaker "Note"; Text renders that cue as
// "Note: this matters" again, so the transcript text loses nothing.
func Parse(r io.Reader) ([]Cue, error) {
	cues, problems, err := ParseLenient(r)
	if err != nil {
		return nil, err
	}
	if len(problems) == 0 {
		return cues, nil
	}
	errs := make([]error, len(problems))
	for i := range problems {
		errs[i] = &problems[i]
	}
	return cues, errors.Join(errs...)
}

// ParseLenient is Parse with the skipped blocks returned as values. err is
// non-nil only when the input cannot be read, is over MaxSize, or is empty
// or headerless; then cues and problems are nil. Otherwise cues is non-nil
// (empty for a file with a header only).
func ParseLenient(r io.Reader) (cues []Cue, problems []ParseError, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("vtt: reading input: %w", err)
	}
	if len(data) > MaxSize {
		return nil, nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxSize)
	}
	return parse(string(data))
}

func parse(s string) ([]Cue, []ParseError, error) {
	s = strings.TrimPrefix(s, "\uFEFF")
	if s == "" {
		return nil, nil, fmt.Errorf("%w: empty input", ErrNoHeader)
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")

	lr := &lineReader{s: s}
	first, _ := lr.next()
	if !hasKeyword(first, "WEBVTT") {
		return nil, nil, fmt.Errorf("%w: file starts with %q", ErrNoHeader, clip(first, 40))
	}
	// Header lines run to the first blank line; a timing line ends them
	// early and is read again as the first cue.
	for {
		line, ok := lr.next()
		if !ok || isBlank(line) {
			break
		}
		if strings.Contains(line, "-->") {
			lr.unread()
			break
		}
	}

	cues := []Cue{}
	var problems []ParseError
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if isBlank(line) {
			continue
		}
		blockLine := lr.n
		var id string
		timing, timingLine := line, blockLine
		if !strings.Contains(line, "-->") {
			next, ok := lr.next()
			if !ok || isBlank(next) || !strings.Contains(next, "-->") {
				if ok && !isBlank(next) {
					lr.skipBlock()
				}
				if !hasKeyword(line, "NOTE") && !hasKeyword(line, "STYLE") && !hasKeyword(line, "REGION") {
					problems = append(problems, ParseError{Line: blockLine, Msg: "block skipped: no cue timing line"})
				}
				continue
			}
			id, timing, timingLine = line, next, lr.n
		}
		start, end, reason := parseTiming(timing)
		text := lr.textLines()
		switch {
		case reason != "":
			problems = append(problems, ParseError{Line: timingLine,
				Msg: fmt.Sprintf("cue skipped: %s in timing line %q", reason, clip(timing, 80))})
			continue
		case end < start:
			problems = append(problems, ParseError{Line: timingLine,
				Msg: fmt.Sprintf("cue skipped: end %s is before start %s", formatTimestamp(end), formatTimestamp(start))})
			continue
		}
		speaker, body := renderText(text)
		cues = append(cues, Cue{Seq: len(cues) + 1, ID: id, Start: start, End: end, Speaker: speaker, Text: body})
	}
	return cues, problems, nil
}

// lineReader hands out the lines of s one at a time, with one line of
// pushback, without building a slice of every line (a file of newlines
// would make that slice many times the size of the input).
type lineReader struct {
	s        string
	pos      int
	n        int // number of the line last returned, 1-based
	prev     int // pos before the line last returned
	line     string
	unreaded bool
}

func (lr *lineReader) next() (string, bool) {
	if lr.unreaded {
		lr.unreaded = false
		lr.n++
		return lr.line, true
	}
	if lr.pos >= len(lr.s) {
		return "", false
	}
	rest := lr.s[lr.pos:]
	lr.prev = lr.pos
	i := strings.IndexAny(rest, "\r\n")
	switch {
	case i < 0:
		lr.line, lr.pos = rest, len(lr.s)
	case rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n':
		lr.line, lr.pos = rest[:i], lr.pos+i+2
	default:
		lr.line, lr.pos = rest[:i], lr.pos+i+1
	}
	lr.n++
	return lr.line, true
}

// unread makes the next call to next return the line last returned again.
func (lr *lineReader) unread() {
	lr.unreaded = true
	lr.n--
}

// textLines returns the lines up to the next blank line or the end of the
// input. A line containing "-->" also ends them and is left for the next
// block, as in the spec's "collect a WebVTT block".
func (lr *lineReader) textLines() []string {
	var lines []string
	for {
		line, ok := lr.next()
		if !ok || isBlank(line) {
			return lines
		}
		if strings.Contains(line, "-->") {
			lr.unread()
			return lines
		}
		lines = append(lines, line)
	}
}

// skipBlock discards the rest of a block, as textLines reads it.
func (lr *lineReader) skipBlock() {
	for {
		line, ok := lr.next()
		if !ok || isBlank(line) {
			return
		}
		if strings.Contains(line, "-->") {
			lr.unread()
			return
		}
	}
}

func isBlank(line string) bool { return strings.Trim(line, " \t") == "" }

// hasKeyword reports whether line is kw, or kw followed by a space or tab.
func hasKeyword(line, kw string) bool {
	rest, ok := strings.CutPrefix(line, kw)
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
}

// parseTiming parses "start --> end [settings]". Settings are ignored. On
// failure it returns a short reason.
func parseTiming(line string) (start, end time.Duration, reason string) {
	p := skipSpace(line, 0)
	start, p, ok := parseTimestamp(line, p)
	if !ok {
		return 0, 0, "invalid start timestamp"
	}
	p = skipSpace(line, p)
	if !strings.HasPrefix(line[p:], "-->") {
		return 0, 0, `missing "-->"`
	}
	p = skipSpace(line, p+3)
	end, _, ok = parseTimestamp(line, p)
	if !ok {
		return 0, 0, "invalid end timestamp"
	}
	return start, end, ""
}

func skipSpace(s string, p int) int {
	for p < len(s) && (s[p] == ' ' || s[p] == '\t' || s[p] == '\f') {
		p++
	}
	return p
}

// maxHours keeps a timestamp inside time.Duration.
const maxHours = int64(1<<63-1)/int64(time.Hour) - 1

// parseTimestamp is the spec's "collect a WebVTT timestamp": [h+:]mm:ss.ttt,
// where a first field that is not exactly two digits, or is over 59, is
// hours; minutes and seconds are two digits and at most 59, the fraction
// exactly three digits.
func parseTimestamp(s string, p int) (time.Duration, int, bool) {
	digits := func() (string, int64, bool) {
		q := p
		var v int64
		for p < len(s) && s[p] >= '0' && s[p] <= '9' {
			if v <= maxHours {
				v = v*10 + int64(s[p]-'0')
			}
			p++
		}
		return s[q:p], v, p > q
	}
	colon := func() bool {
		if p < len(s) && s[p] == ':' {
			p++
			return true
		}
		return false
	}
	d1, v1, ok := digits()
	if !ok {
		return 0, p, false
	}
	hours := len(d1) != 2 || v1 > 59
	if hours && v1 > maxHours {
		return 0, p, false
	}
	if !colon() {
		return 0, p, false
	}
	d2, v2, _ := digits()
	if len(d2) != 2 {
		return 0, p, false
	}
	var h, m, sec int64
	if hours || (p < len(s) && s[p] == ':') {
		colon()
		d3, v3, _ := digits()
		if len(d3) != 2 {
			return 0, p, false
		}
		h, m, sec = v1, v2, v3
	} else {
		m, sec = v1, v2
	}
	if p >= len(s) || s[p] != '.' {
		return 0, p, false
	}
	p++
	d4, ms, _ := digits()
	if len(d4) != 3 || m > 59 || sec > 59 {
		return 0, p, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond
	return d, p, true
}

// formatTimestamp writes d as hh:mm:ss.ttt (hours widen past 99).
func formatTimestamp(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// renderText turns raw cue text lines into the speaker and plain text:
// tags stripped (the first <v> tag's annotation is the speaker), entities
// decoded, lines trimmed, empty lines dropped, and, without a <v> tag, a
// "Name: " prefix on the first line taken as the speaker.
func renderText(raw []string) (speaker, text string) {
	var lines []string
	for _, line := range raw {
		plain, voice := stripTags(line)
		if speaker == "" {
			speaker = voice
		}
		plain = strings.TrimSpace(decodeEntities(plain))
		if plain != "" {
			lines = append(lines, plain)
		}
	}
	if speaker == "" && len(lines) > 0 {
		if name, rest, ok := splitSpeaker(lines[0]); ok {
			speaker = name
			lines[0] = rest
			if rest == "" {
				lines = lines[1:]
			}
		}
	}
	return speaker, strings.Join(lines, "\n")
}

// stripTags removes the tags from one line and returns the annotation of
// its first voice tag ("<v Ana Silva>", "<v.loud Ana>"), entities decoded.
func stripTags(line string) (plain, voice string) {
	if !strings.Contains(line, "<") {
		return line, ""
	}
	var b strings.Builder
	noClose := false // no '>' after the current position: stop looking (keeps this linear)
	for i := 0; i < len(line); {
		c := line[i]
		if c != '<' || noClose || i+1 == len(line) || !isTagStart(line[i+1]) {
			b.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexByte(line[i+1:], '>')
		if j < 0 {
			noClose = true
			b.WriteByte(c)
			i++
			continue
		}
		tag := line[i+1 : i+1+j]
		i += j + 2
		name, annotation := tag, ""
		if k := strings.IndexAny(tag, " \t"); k >= 0 {
			name, annotation = tag[:k], tag[k+1:]
		}
		if voice == "" && (name == "v" || strings.HasPrefix(name, "v.")) {
			voice = strings.TrimSpace(decodeEntities(annotation))
		}
	}
	return b.String(), voice
}

func isTagStart(c byte) bool {
	return c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var namedEntities = map[string]string{
	"amp": "&", "lt": "<", "gt": ">", "nbsp": "\u00A0",
	"quot": `"`, "apos": "'", "lrm": "\u200E", "rlm": "\u200F",
}

// decodeEntities decodes the named references above and numeric ones
// (&#39; &#x27;); anything else stays as written.
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			window := s[i+1 : min(len(s), i+12)]
			if j := strings.IndexByte(window, ';'); j > 0 {
				if r, ok := entity(window[:j]); ok {
					b.WriteString(r)
					i += j + 2
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func entity(name string) (string, bool) {
	if r, ok := namedEntities[name]; ok {
		return r, true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return "", false
	}
	base := 10
	if num[0] == 'x' || num[0] == 'X' {
		base, num = 16, num[1:]
	}
	if num == "" || num[0] == '+' || num[0] == '-' {
		return "", false
	}
	v, err := strconv.ParseUint(num, base, 32)
	if err != nil || v == 0 || !utf8.ValidRune(rune(v)) {
		return "", false
	}
	return string(rune(v)), true
}

// titles may precede a name with a "." and a space ("Dr. Ana Silva").
var titles = map[string]bool{
	"Dr": true, "Mr": true, "Mrs": true, "Ms": true, "Mx": true, "Prof": true,
	"Jr": true, "Sr": true, "St": true, "Rev": true, "Hon": true, "Sgt": true,
	"Capt": true, "Col": true, "Gen": true, "Lt": true,
}

// splitSpeaker applies the speaker rule documented on Parse to one line.
func splitSpeaker(line string) (name, rest string, ok bool) {
	i := strings.IndexByte(line, ':')
	if i <= 0 || i+1 < len(line) && line[i+1] != ' ' && line[i+1] != '\t' {
		return "", "", false
	}
	name = strings.TrimSpace(line[:i])
	if name == "" || utf8.RuneCountInString(name) > maxSpeakerLen || strings.ContainsAny(name, "!?;…") {
		return "", "", false
	}
	for j := 0; j < len(name); j++ {
		if name[j] != '.' || j+1 == len(name) || name[j+1] != ' ' && name[j+1] != '\t' {
			continue
		}
		word := name[strings.LastIndexAny(name[:j], " \t")+1 : j]
		if !titles[word] && !initials(word) {
			return "", "", false
		}
	}
	return name, strings.TrimSpace(line[i+1:]), true
}

// initials reports whether word is one or more single capital letters
// joined by dots: "J", "J.R".
func initials(word string) bool {
	for _, part := range strings.Split(word, ".") {
		r, size := utf8.DecodeRuneInString(part)
		if size != len(part) || !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// Text renders cues as a plain-text transcript for CRM call bodies: one
// "Speaker: text" line per cue ("text" alone without a speaker), a cue's
// lines joined by spaces. Consecutive cues of the same named speaker share
// one line, since Zoom cuts one speaker's turn into many short cues. Cues
// without text are left out. Each line ends in "\n".
func Text(cues []Cue) string {
	var b strings.Builder
	prev, open := "", false
	for _, c := range cues {
		t := strings.ReplaceAll(c.Text, "\n", " ")
		if t == "" {
			continue
		}
		if open && c.Speaker != "" && c.Speaker == prev {
			b.WriteByte(' ')
			b.WriteString(t)
			continue
		}
		if open {
			b.WriteByte('\n')
		}
		if c.Speaker != "" {
			b.WriteString(c.Speaker)
			b.WriteString(": ")
		}
		b.WriteString(t)
		prev, open = c.Speaker, true
	}
	if open {
		b.WriteByte('\n')
	}
	return b.String()
}

// clip shortens s to at most n runes for an error message.
func clip(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
