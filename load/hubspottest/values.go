package hubspottest

// Property values as requests send them, and their validation against the
// property definitions.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scalarString accepts the JSON strings HubSpot expects, and also numbers and
// booleans (which HubSpot coerces); null clears the value.
type scalarString string

func (v *scalarString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = scalarString(s)
	case string(b) == "null":
		*v = ""
	case string(b) == "true" || string(b) == "false":
		*v = scalarString(b)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*v = scalarString(b)
	default:
		return fmt.Errorf("property values must be strings, not %s", b)
	}
	return nil
}

// propError is one entry of "Property values were not valid: [...]".
type propError struct {
	IsValid bool   `json:"isValid"`
	Message string `json:"message"`
	Error   string `json:"error"`
	Name    string `json:"name"`
}

func propErrorsMessage(errs []propError) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errs)
	return "Property values were not valid: " + strings.TrimSpace(buf.String())
}

// checkValue validates a property value for its definition and returns the
// value to store.
func checkValue(p *property, v string) (string, *propError) {
	bad := func(code, msg string) (string, *propError) {
		return "", &propError{IsValid: false, Message: msg, Error: code, Name: p.Name}
	}
	if p.Name == "email" {
		if !validEmail(v) {
			return bad("INVALID_EMAIL", fmt.Sprintf("Email address %s is invalid", v))
		}
		return strings.ToLower(v), nil
	}
	if v == "" {
		return "", nil // clears the value
	}
	switch p.Type {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil || strings.ContainsAny(v, "xXpP_") || strings.EqualFold(v, "nan") || strings.Contains(strings.ToLower(v), "inf") {
			return bad("INVALID_INTEGER", fmt.Sprintf("%s was not a valid number.", v))
		}
	case "bool":
		if v != "true" && v != "false" {
			return bad("INVALID_OPTION", fmt.Sprintf("%s was not one of the allowed options: [true, false]", v))
		}
	case "enumeration":
		if p.ExternalOptions || p.Name == "hs_additional_emails" {
			return v, nil
		}
		var allowed []string
		for _, o := range p.Options {
			allowed = append(allowed, o.Value)
		}
		values := []string{v}
		if p.FieldType == "checkbox" {
			values = strings.Split(v, ";")
		}
		for _, x := range values {
			if !slices.Contains(allowed, x) {
				return bad("INVALID_OPTION", fmt.Sprintf("%s was not one of the allowed options: [%s]", x, strings.Join(allowed, ", ")))
			}
		}
	case "date":
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format(time.DateOnly), nil
		}
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms%(24*60*60*1000) != 0 {
			return bad("INVALID_DATE", fmt.Sprintf("%s is at a time other than midnight UTC or is not a valid date", v))
		}
		return time.UnixMilli(ms).UTC().Format(time.DateOnly), nil
	case "datetime":
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			return isoTime(time.UnixMilli(ms)), nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return bad("INVALID_DATE", fmt.Sprintf("%s is not a valid datetime: use epoch milliseconds or ISO 8601", v))
		}
		return isoTime(t), nil
	}
	return v, nil
}

// checkProps validates the property values of one write against the object
// type's definitions, in name order: each must exist, be writable and be a
// valid value of its type. It returns the values to store and the problems.
func checkProps(defs map[string]*property, in map[string]scalarString) (map[string]string, []propError) {
	return checkPropsBy(defs, in, func(name string, p *property) *propError {
		switch {
		case p == nil || p.Archived:
			return noSuchProperty(name)
		case p.ModificationMetadata.ReadOnlyValue:
			return readOnlyProperty(name)
		}
		return nil
	})
}

// noSuchProperty is the problem of a write naming a property that does not
// exist (or may not be named).
func noSuchProperty(name string) *propError {
	return &propError{Message: fmt.Sprintf("Property \"%s\" does not exist", name), Error: "PROPERTY_DOESNT_EXIST", Name: name}
}

// readOnlyProperty is the problem of a write setting a read-only property.
func readOnlyProperty(name string) *propError {
	return &propError{Message: fmt.Sprintf("\"%s\" is a read only property; its value cannot be set.", name), Error: "READ_ONLY_VALUE", Name: name}
}

// checkPropsBy validates the property values of one write in name order:
// refuse says what is wrong with naming a property (its definition, nil
// when there is none), else the value must be valid for its type. It
// returns the values to store and the problems.
func checkPropsBy(defs map[string]*property, in map[string]scalarString, refuse func(name string, p *property) *propError) (map[string]string, []propError) {
	values := map[string]string{}
	var perrs []propError
	for _, name := range slices.Sorted(maps.Keys(in)) {
		p := defs[name]
		if perr := refuse(name, p); perr != nil {
			perrs = append(perrs, *perr)
			continue
		}
		v, perr := checkValue(p, string(in[name]))
		if perr != nil {
			perrs = append(perrs, *perr)
			continue
		}
		values[name] = v
	}
	return values, perrs
}
