package hubspottest

import "strings"

// validEmail reports whether HubSpot would accept e as an email address:
// no surrounding whitespace, one @, a sane local part, and a domain whose
// top-level label is a real TLD (so .con and .cpm are rejected).
func validEmail(e string) bool {
	if e == "" || len(e) > 254 || strings.TrimSpace(e) != e {
		return false
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || strings.Contains(domain, "@") || local == "" || len(local) > 64 {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", r)) {
			return false
		}
	}
	labels := strings.Split(strings.ToLower(domain), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	_, ok = tlds[labels[len(labels)-1]]
	return ok
}

// tlds is a compact list of real top-level domains: the generic ones people
// use and every two-letter country code in common use. Typos like .con, .cpm,
// .cmo, .ogr and reserved names (.test, .example, .invalid, .localhost) are
// absent on purpose.
var tlds = func() map[string]struct{} {
	m := map[string]struct{}{}
	list := `com net org edu gov mil int info biz name pro mobi aero coop museum jobs travel tel asia cat post xxx
io co ai app dev me tv cc ws fm am gg ly to sh ac so im la
email online site website tech cloud xyz shop store blog news media agency digital solutions services
global world live life group company consulting studio design network systems software academy education
school university college institute center health care clinic law legal finance financial capital bank
insurance money fund investments partners ventures holdings enterprises industries international marketing
social events events today space page one top club vip work works team tools support help page host hosting
art music film photo photography video games game fun city london nyc berlin paris tokyo amsterdam
eu asia africa
ad ae af ag al ar at au az ba bd be bg bh bo br by bz ca ch cl cn cr cu cy cz de dk do dz ec ee eg es
et fi fj fr ge gh gl gr gt hk hn hr ht hu id ie il in iq ir is it jm jo jp ke kg kh kr kw kz lb li lk
lt lu lv ma mc md mk mm mn mo mt mu mv mx my mz na ng ni nl no np nz om pa pe ph pk pl pr ps pt py qa
ro rs ru rw sa se sg si sk sn sv sy th tj tn tr tt tw tz ua ug uk us uy uz va ve vn za zm zw`
	for _, t := range strings.Fields(list) {
		m[t] = struct{}{}
	}
	return m
}()
