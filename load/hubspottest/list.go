package hubspottest

import (
	"net/http"
)

// objectRoutes are the CRM object operations served for every object type
// the simulator stores; a test counts what exists with them.
func objectRoutes() []route {
	return []route{
		{pattern: "GET /crm/v3/objects/{objectType}", h: (*Server).listObjects},
	}
}

// GET /crm/v3/objects/{objectType} (calls.v3.json, contacts.v3.json):
// ?limit ≤ 100 (default 10) &after &properties &archived. Contacts, calls
// and marketing events (0-54) list what the simulator holds; companies and
// deals, which it holds none of, list nothing; any other type → 400.
func (s *Server) listObjects(c *call) {
	switch objectTypes[c.param("objectType")] {
	case "contacts":
		s.listContacts(c)
	case "calls":
		s.listCalls(c)
	case "marketing_events":
		s.listMarketingEventObjects(c)
	case "companies", "deals":
		if _, _, ok := s.paging(c, 10); ok {
			s.writeList(c, []simpleObject{}, "")
		}
	default:
		s.writeError(c, http.StatusBadRequest, "VALIDATION_ERROR",
			"Unable to infer object type from: "+c.param("objectType"), nil)
	}
}

// listQuery reads the list operations' limit, after and archived.
func (s *Server) listQuery(c *call) (limit, after int, archived, ok bool) {
	if limit, after, ok = s.paging(c, 10); !ok {
		return 0, 0, false, false
	}
	archived, ok = s.boolQuery(c, "archived")
	return limit, after, archived, ok
}

// listCalls lists the calls (by id, which is creation order).
func (s *Server) listCalls(c *call) {
	limit, after, archived, ok := s.listQuery(c)
	if !ok {
		return
	}
	props := splitList(c.r.URL.Query()["properties"])
	s.mu.Lock()
	var all []*callRecord
	for _, id := range s.calls.order {
		if r := s.calls.byID[id]; r.archived == archived {
			all = append(all, r)
		}
	}
	lo, hi, next := pageBounds(len(all), func(i int) string { return all[i].id }, limit, after)
	page := make([]simpleObject, 0, hi-lo)
	for _, r := range all[lo:hi] {
		page = append(page, r.object(props))
	}
	s.mu.Unlock()
	s.writeList(c, page, next)
}

// listMarketingEventObjects lists the marketing events as CRM objects, with
// the properties hs_object_id and hs_event_name (the simulator keeps no
// other marketing event property under its CRM name) and those asked for
// that the event has among its custom properties. Events are never archived.
func (s *Server) listMarketingEventObjects(c *call) {
	limit, after, archived, ok := s.listQuery(c)
	if !ok {
		return
	}
	props := splitList(c.r.URL.Query()["properties"])
	s.mu.Lock()
	var all []*marketingEvent
	if !archived {
		for _, k := range s.mevents.order {
			all = append(all, s.mevents.byKey[k])
		}
	}
	lo, hi, next := pageBounds(len(all), func(i int) string { return all[i].ObjectID }, limit, after)
	page := make([]simpleObject, 0, hi-lo)
	for _, e := range all[lo:hi] {
		o := simpleObject{ID: e.ObjectID, CreatedAt: isoTime(e.createdAt), UpdatedAt: isoTime(e.updatedAt),
			Properties: map[string]string{"hs_object_id": e.ObjectID, "hs_event_name": e.Name}}
		for _, p := range props {
			if v, ok := e.CustomProperties[p]; ok {
				o.Properties[p] = v
			}
		}
		page = append(page, o)
	}
	s.mu.Unlock()
	s.writeList(c, page, next)
}
