package zoom

import (
	"context"
	"iter"
	"net/url"
)

// ListAbsentees returns one page of an instance's absentees: the approved
// registrants who did not attend it, in the registrant shape. uuid names the
// instance (double-encoded, EncodeUUID); a numeric webinar id means its
// latest instance. A webinar without registration is ErrNoRegistration
// (code 3000); an instance not held or not ended is ErrWebinarNotFound.
//
// Zoom API: GET /past_webinars/{webinarId}/absentees
func (s *WebinarsService) ListAbsentees(ctx context.Context, uuid string, opts *ListOptions) ([]*Registrant, *Response, error) {
	q := url.Values{}
	opts.addTo(q)
	body, resp, err := requestValue[struct {
		Registrants []*Registrant `json:"registrants"`
	}](ctx, s.client, "GET", "past_webinars/"+EncodeUUID(uuid)+"/absentees", q, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Registrants, resp, nil
}

// ListAbsenteesIter walks every page of ListAbsentees. opts is copied,
// never changed.
//
// Zoom API: GET /past_webinars/{webinarId}/absentees
func (s *WebinarsService) ListAbsenteesIter(ctx context.Context, uuid string, opts *ListOptions) iter.Seq2[*Registrant, error] {
	return pagesOf(opts, func(p *ListOptions) ([]*Registrant, *Response, error) { return s.ListAbsentees(ctx, uuid, p) })
}
