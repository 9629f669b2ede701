package zoomtest

import (
	"net/http"
	"strconv"
)

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
	raw := c.params["webinarId"]
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return apiErr(http.StatusNotFound, 3001, "Webinar %s not found or has expired.", raw)
	}
	w := s.acct.Webinar(id)
	if w == nil || w.Expired {
		return apiErr(http.StatusNotFound, 3001, "Webinar %d not found or has expired.", id)
	}
	out := panelistsJSON{TotalRecords: len(w.Panelists), Panelists: []panelistJSON{}}
	for _, p := range w.Panelists {
		out.Panelists = append(out.Panelists, panelistJSON{ID: p.ID, Name: p.Name, Email: p.Email, JoinURL: p.JoinURL,
			NameTagName: p.NameTagName, NameTagDescription: p.NameTagDescription})
	}
	return http.StatusOK, out
}
