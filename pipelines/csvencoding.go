package pipelines

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// utf8Text reads all of r and returns it when it is UTF-8 text. A file in
// another encoding (Latin-1, Windows-1252: what a spreadsheet saves as
// "CSV" on some systems) is refused with the number of its first line that
// is not UTF-8: read as UTF-8 its accented letters would become U+FFFD in
// the names sent to Zoom.
func utf8Text(r io.Reader) (io.Reader, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if utf8.Valid(data) {
		return bytes.NewReader(data), nil
	}
	for i, line := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(line) {
			bad := line
			for len(bad) > 0 {
				if r, size := utf8.DecodeRune(bad); r == utf8.RuneError && size <= 1 {
					break
				} else {
					bad = bad[size:]
				}
			}
			return nil, fmt.Errorf("csv: line %d is not UTF-8 text (byte 0x%02X at column %d; a Latin-1 or Windows-1252 file?): save the file as UTF-8",
				i+1, bad[0], len(line)-len(bad)+1)
		}
	}
	return bytes.NewReader(data), nil // unreachable: some line is invalid
}
