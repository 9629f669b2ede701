package pipelines

import (
	"strings"
	"testing"
)

// TestReadPeopleCSV_latin1Refused: a Latin-1 file is refused with the line
// and column of its first byte that is not UTF-8; the same file in UTF-8
// reads its accented names as they are.
func TestReadPeopleCSV_latin1Refused(t *testing.T) {
	latin1 := "email,first_name,last_name\nana@example.com,Ana,Silva\njose@example.com,Jos\xe9,Mu\xf1oz\n"
	_, err := ReadPeopleCSV(strings.NewReader(latin1))
	if err == nil || !strings.Contains(err.Error(), "line 3 is not UTF-8") || !strings.Contains(err.Error(), "byte 0xE9 at column 21") {
		t.Fatalf("Latin-1 CSV: err = %v, want line 3, byte 0xE9 at column 21", err)
	}
	people, err := ReadPeopleCSV(strings.NewReader("email,first_name,last_name\njose@example.com,José,Muñoz\n"))
	if err != nil || len(people) != 1 || people[0].FirstName != "José" || people[0].LastName != "Muñoz" {
		t.Fatalf("UTF-8 CSV: %+v, %v", people, err)
	}
}
