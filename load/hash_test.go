package load

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// marshalHash is hashProperties as it was written first, with
// encoding/json: the hashes in every existing load_state.
func marshalHash(props map[string]string) string {
	b, err := json.Marshal(props)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hashPieces are the fragments the random strings are made of: every byte
// encoding/json escapes or treats apart (controls, quotes, backslash,
// < > &, DEL), multi-byte characters, U+2028 and U+2029, invalid and
// truncated UTF-8, and ordinary text.
var hashPieces = func() []string {
	p := []string{`"`, `\`, "<", ">", "&", "\x7f", "/", "é", "日本", "😀", "\u2028", "\u2029", "\u2027", "\u202a",
		"\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a@example.com", " ", "Zoom: ", "https://zoom.us/j/1?tk=a&b=c"}
	for b := range 0x20 {
		p = append(p, string(rune(b)))
	}
	return p
}()

func randomHashString(r *rand.Rand) string {
	var sb strings.Builder
	for range r.IntN(6) {
		sb.WriteString(hashPieces[r.IntN(len(hashPieces))])
	}
	return sb.String()
}

// TestHashProperties_sameAsMarshal checks that hashProperties gives the
// hash encoding/json gave for the same properties, on 20,000 random maps
// of strings built from every byte and rune Marshal escapes, and on real
// property sets: a difference would make every row of an existing lake
// look changed and send it again.
func TestHashProperties_sameAsMarshal(t *testing.T) {
	t.Parallel()
	cases := []map[string]string{
		{},
		{"email": "ana@example.com", "firstname": "Ana", "lastname": "Ö'Brien <CEO> & co",
			"zoom_average_webinar_attendance_percent": "73.25", "zoom_last_webinar_attended_date": "2026-05-02"},
		{"contactId": "101", "at": "2026-05-02T10:00:00Z", "joinedAt": "2026-05-02T10:01:00Z"},
		{"": "", "a": "\u2028\u2029\x00\x1f\"\\"},
	}
	r := rand.New(rand.NewPCG(9, 9))
	for range 20_000 {
		m := map[string]string{}
		for range r.IntN(8) {
			m[randomHashString(r)] = randomHashString(r)
		}
		cases = append(cases, m)
	}
	for _, m := range cases {
		if got, want := hashProperties(m), marshalHash(m); got != want {
			t.Fatalf("hashProperties(%q) = %s, encoding/json's %s", m, got, want)
		}
	}
}

// FuzzHashProperties compares hashProperties with encoding/json's hash on
// a two-property map of any strings.
func FuzzHashProperties(f *testing.F) {
	for _, s := range hashPieces {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, k, v string) {
		m := map[string]string{k: v, "email": v + k}
		if got, want := hashProperties(m), marshalHash(m); got != want {
			t.Fatalf("hashProperties(%q) = %s, encoding/json's %s", m, got, want)
		}
	})
}
