package zoomtest

import (
	"net/http"
	"strconv"
)

// listedWebinar resolves the numeric {webinarId} of the webinar routes that take no uuid
// (panelists, tracking sources): not a number, unknown or expired → 404/3001.
func (s *Server) listedWebinar(c *call) (w *Webinar, errStatus int, errBody any) {
	raw := c.params["webinarId"]
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		errStatus, errBody = apiErr(http.StatusNotFound, 3001, "Webinar %s not found or has expired.", raw)
		return nil, errStatus, errBody
	}
	if w = s.acct.Webinar(id); w == nil || w.Expired {
		errStatus, errBody = apiErr(http.StatusNotFound, 3001, "Webinar %d not found or has expired.", id)
		return nil, errStatus, errBody
	}
	return w, 0, nil
}

// --- GET /webinars/{webinarId}/panelists ---

type panelistJSON struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	Email               string `json:"email"`
	JoinURL             string `json:"join_url"`
	VirtualBackgroundID string `json:"virtual_background_id,omitempty"`
	NameTagID           string `json:"name_tag_id,omitempty"`
	NameTagName         string `json:"name_tag_name,omitempty"`
	NameTagPronouns     string `json:"name_tag_pronouns,omitempty"`
	NameTagDescription  string `json:"name_tag_description,omitempty"`
}

type panelistsJSON struct {
	TotalRecords int            `json:"total_records"`
	Panelists    []panelistJSON `json:"panelists"`
}

// listPanelists implements GET /webinars/{webinarId}/panelists (numeric id; not paginated).
// Expired or unknown webinars answer 404/3001.
func (s *Server) listPanelists(c *call) (int, any) {
	w, st, eb := s.listedWebinar(c)
	if st != 0 {
		return st, eb
	}
	out := panelistsJSON{TotalRecords: len(w.Panelists), Panelists: []panelistJSON{}}
	for _, p := range w.Panelists {
		out.Panelists = append(out.Panelists, panelistJSON{ID: p.ID, Name: p.Name, Email: p.Email, JoinURL: p.JoinURL,
			NameTagName: p.NameTagName, NameTagDescription: p.NameTagDescription})
	}
	return http.StatusOK, out
}
