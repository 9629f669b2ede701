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
	body, resp, err := requestValue[struct {
		Panelists []*Panelist `json:"panelists"`
	}](ctx, s.client, "GET", "webinars/"+strconv.FormatInt(webinarID, 10)+"/panelists", nil, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Panelists, resp, nil
}
