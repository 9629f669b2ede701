package hubspottest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// Properties created with hasUniqueValue: true hold at most one object's
// value per object type (email is the contacts' own, checked by the
// contacts store). A write that would give a second object the value is
// refused with 409 CONFLICT, as HubSpot refuses a second contact with one
// email; the exact message HubSpot sends for a custom unique property is not
// documented [inf].

// uniqueClaims records, while one batch is planned, which input will hold
// each unique value, so that two inputs of one batch cannot take the same
// value either. Keys are property name + "\x00" + value.
type uniqueClaims map[string]string

// checkUnique refuses the values of unique properties (other than skip)
// that an object other than self holds (holder returns its id, or "") or
// that another input of the batch claimed; claimant names this input (its
// object id, or a token of its own for a create). It claims the values.
func checkUnique(defs map[string]*property, values map[string]string, self, claimant string,
	holder func(name, value string) string, claims uniqueClaims, skip string) *inputError {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		p, v := defs[name], values[name]
		if p == nil || !p.HasUniqueValue || name == skip || v == "" {
			continue
		}
		other := holder(name, v)
		k := name + "\x00" + v
		if c, ok := claims[k]; ok && c != claimant {
			return badInput(http.StatusConflict, "CONFLICT",
				fmt.Sprintf("Another input of this batch sets the value %q of the unique property %s", v, name))
		}
		if other != "" && other != self {
			return badInput(http.StatusConflict, "CONFLICT",
				fmt.Sprintf("A record with the value %q for the unique property %s already exists. Existing ID: %s", v, name, other))
		}
		claims[k] = claimant
	}
	return nil
}

// Object type ids, as HubSpot names them in its messages.
const (
	contactsTypeID = "0-1"
	callsTypeID    = "0-48"
)

// checkUniqueKey refuses (400) an idProperty that does not exist or does not
// have unique values; "" and hs_object_id (the record id) are always keys,
// and so is email for contacts (its property has unique values). read picks
// the batch read's wording.
func (s *Server) checkUniqueKey(c *call, objectTypeID, idProperty string, read bool, defs map[string]*property) bool {
	if idProperty == "" || idProperty == "hs_object_id" {
		return true
	}
	p, ok := defs[idProperty]
	switch {
	case read && (!ok || !p.HasUniqueValue):
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Unable to read by property %s: it does not exist or does not have unique values", idProperty), nil)
	case !ok:
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Property \"%s\" does not exist", idProperty), nil)
	case !p.HasUniqueValue:
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Unable to perform update/upsert by non-unique %s property %s", objectTypeID, idProperty), nil)
	default:
		return true
	}
	return false
}

// checkIDProperties runs checkUniqueKey on the idProperty of every input of
// a batch write.
func checkIDProperties[I any](s *Server, c *call, objectTypeID string, inputs []I, idProperty func(I) string, defs map[string]*property) bool {
	for _, i := range inputs {
		if !s.checkUniqueKey(c, objectTypeID, idProperty(i), false, defs) {
			return false
		}
	}
	return true
}
