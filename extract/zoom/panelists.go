package zoom

import (
	"context"
	"strconv"
)

// Panelist is a panelist of a webinar.
type Panelist struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	JoinURL string `json:"join_url"`
}

// ListPanelists returns a webinar's panelists. The endpoint is not
// paginated. An expired or unknown webinar is ErrWebinarNotFound.
//
// Zoom API: GET /webinars/{webinarId}/panelists
func (s *WebinarsService) ListPanelists(ctx context.Context, webinarID int64) ([]*Panelist, *Response, error) {
	req, err := s.client.NewRequest(ctx, "GET", "webinars/"+strconv.FormatInt(webinarID, 10)+"/panelists", nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var body struct {
		Panelists []*Panelist `json:"panelists"`
	}
	resp, err := s.client.Do(req, &body)
	if err != nil {
		return nil, resp, err
	}
	return body.Panelists, resp, nil
}
