package zoom

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// WebinarsService reads webinars, their past instances and registrants.
type WebinarsService service

// Webinar types.
const (
	WebinarTypeSingle           = 5
	WebinarTypeRecurringNoFixed = 6
	WebinarTypeRecurringFixed   = 9
)

// Webinar is a webinar as GET /webinars/{webinarId} returns it; the list
// endpoint fills a subset (zoom-api.md §6.2, §6.3). The start_url and
// password fields are deliberately not decoded: they are credentials and have
// no business in the lake.
type Webinar struct {
	ID              int64            `json:"id"`
	UUID            string           `json:"uuid"`
	HostID          string           `json:"host_id"`
	HostEmail       string           `json:"host_email"`
	Topic           string           `json:"topic"`
	Type            int              `json:"type"` // 5, 6 or 9
	StartTime       time.Time        `json:"start_time"`
	Duration        int              `json:"duration"` // minutes
	Timezone        string           `json:"timezone"`
	Agenda          string           `json:"agenda"`
	CreatedAt       time.Time        `json:"created_at"`
	JoinURL         string           `json:"join_url"`
	RegistrationURL string           `json:"registration_url"`
	IsSimulive      bool             `json:"is_simulive"`
	RecordFileID    string           `json:"record_file_id"`
	TrackingFields  []TrackingField  `json:"tracking_fields"`
	Recurrence      *Recurrence      `json:"recurrence"`
	Occurrences     []*Occurrence    `json:"occurrences"`
	Settings        *WebinarSettings `json:"settings"`
}

// UnmarshalJSON decodes a webinar, tolerating a string id and "" times.
func (w *Webinar) UnmarshalJSON(b []byte) error {
	type plain Webinar
	var aux struct {
		*plain
		ID        jsonInt64 `json:"id"`
		StartTime jsonTime  `json:"start_time"`
		CreatedAt jsonTime  `json:"created_at"`
	}
	aux.plain = (*plain)(w)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	w.ID = int64(aux.ID)
	w.StartTime = time.Time(aux.StartTime)
	w.CreatedAt = time.Time(aux.CreatedAt)
	return nil
}

// HasRegistration reports whether the webinar takes registrations
// (approval_type 0 or 1).
func (w *Webinar) HasRegistration() bool {
	return w.Settings != nil && (w.Settings.ApprovalType == ApprovalAutomatic || w.Settings.ApprovalType == ApprovalManual)
}

// TrackingField is a webinar tracking field.
type TrackingField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Recurrence describes a recurring webinar's schedule.
type Recurrence struct {
	Type           int       `json:"type"` // 1 daily, 2 weekly, 3 monthly
	RepeatInterval int       `json:"repeat_interval"`
	WeeklyDays     string    `json:"weekly_days"`
	MonthlyDay     int       `json:"monthly_day"`
	MonthlyWeek    int       `json:"monthly_week"`
	MonthlyWeekDay int       `json:"monthly_week_day"`
	EndTimes       int       `json:"end_times"`
	EndDateTime    time.Time `json:"end_date_time"`
}

// UnmarshalJSON tolerates an "" end_date_time.
func (r *Recurrence) UnmarshalJSON(b []byte) error {
	type plain Recurrence
	var aux struct {
		*plain
		EndDateTime jsonTime `json:"end_date_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.EndDateTime = time.Time(aux.EndDateTime)
	return nil
}

// Occurrence is one scheduled occurrence of a type 9 webinar.
type Occurrence struct {
	OccurrenceID string    `json:"occurrence_id"` // epoch millis as a string
	StartTime    time.Time `json:"start_time"`
	Duration     int       `json:"duration"`
	Status       string    `json:"status"` // "available" or "deleted"
}

// UnmarshalJSON tolerates an "" start_time and a numeric occurrence_id.
func (o *Occurrence) UnmarshalJSON(b []byte) error {
	type plain Occurrence
	var aux struct {
		*plain
		OccurrenceID json.RawMessage `json:"occurrence_id"`
		StartTime    jsonTime        `json:"start_time"`
	}
	aux.plain = (*plain)(o)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	o.StartTime = time.Time(aux.StartTime)
	if len(aux.OccurrenceID) > 0 && string(aux.OccurrenceID) != "null" {
		var n jsonInt64
		if err := json.Unmarshal(aux.OccurrenceID, &o.OccurrenceID); err != nil {
			if err := json.Unmarshal(aux.OccurrenceID, &n); err != nil {
				return fmt.Errorf("occurrence_id: %w", err)
			}
			o.OccurrenceID = strconv.FormatInt(int64(n), 10)
		}
	}
	return nil
}

// Approval types (settings.approval_type).
const (
	ApprovalAutomatic      = 0
	ApprovalManual         = 1
	ApprovalNoRegistration = 2
)

// WebinarSettings are the settings zoomsync reads.
type WebinarSettings struct {
	ApprovalType                 int                `json:"approval_type"`
	RegistrationType             int                `json:"registration_type"`
	RegistrantsConfirmationEmail bool               `json:"registrants_confirmation_email"`
	RegistrantsEmailNotification bool               `json:"registrants_email_notification"`
	RegistrantsRestrictNumber    int                `json:"registrants_restrict_number"`
	CloseRegistration            bool               `json:"close_registration"`
	QuestionAndAnswer            *QuestionAndAnswer `json:"question_and_answer"`
	AutoRecording                string             `json:"auto_recording"`
	OnDemand                     bool               `json:"on_demand"`
	PracticeSession              bool               `json:"practice_session"`
	PostWebinarSurvey            bool               `json:"post_webinar_survey"`
	SurveyURL                    string             `json:"survey_url"`
	ContactName                  string             `json:"contact_name"`
	ContactEmail                 string             `json:"contact_email"`
	EmailLanguage                string             `json:"email_language"`
	AlternativeHosts             string             `json:"alternative_hosts"`
	MeetingAuthentication        bool               `json:"meeting_authentication"`
}

// QuestionAndAnswer are the webinar's Q&A settings.
type QuestionAndAnswer struct {
	Enable                  bool   `json:"enable"`
	AllowAnonymousQuestions bool   `json:"allow_anonymous_questions"`
	AnswerQuestions         string `json:"answer_questions"`
	AttendeesCanUpvote      bool   `json:"attendees_can_upvote"`
	AttendeesCanComment     bool   `json:"attendees_can_comment"`
	AllowAutoReply          bool   `json:"allow_auto_reply"`
	AutoReplyText           string `json:"auto_reply_text"`
}

// WebinarListOptions filters GET /users/{userId}/webinars.
type WebinarListOptions struct {
	// Type is "scheduled" (Zoom's default: unexpired past, live and
	// upcoming) or "upcoming".
	Type string
	ListOptions
}

// List returns one page of a host's unexpired webinars. userID is a user id
// or email.
//
// Zoom API: GET /users/{userId}/webinars
func (s *WebinarsService) List(ctx context.Context, userID string, opts *WebinarListOptions) ([]*Webinar, *Response, error) {
	q := url.Values{}
	var lo *ListOptions
	if opts != nil {
		if opts.Type != "" {
			q.Set("type", opts.Type)
		}
		lo = &opts.ListOptions
	}
	lo.addTo(q)
	body, resp, err := requestValue[struct {
		Webinars []*Webinar `json:"webinars"`
	}](ctx, s.client, "GET", "users/"+url.PathEscape(userID)+"/webinars", q, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Webinars, resp, nil
}

// ListIter walks every page of List. opts is copied, never changed.
//
// Zoom API: GET /users/{userId}/webinars
func (s *WebinarsService) ListIter(ctx context.Context, userID string, opts *WebinarListOptions) iter.Seq2[*Webinar, error] {
	return pagesOf(opts, func(p *WebinarListOptions) ([]*Webinar, *Response, error) { return s.List(ctx, userID, p) })
}

// Get returns a webinar with its settings, recurrence and occurrences.
//
// Zoom API: GET /webinars/{webinarId}
func (s *WebinarsService) Get(ctx context.Context, webinarID int64) (*Webinar, *Response, error) {
	return requestValue[Webinar](ctx, s.client, "GET", "webinars/"+strconv.FormatInt(webinarID, 10), nil, nil)
}

// PastInstance is one ended instance of a webinar.
type PastInstance struct {
	UUID      string    `json:"uuid"`
	StartTime time.Time `json:"start_time"`
}

// UnmarshalJSON tolerates an "" start_time.
func (p *PastInstance) UnmarshalJSON(b []byte) error {
	type plain PastInstance
	var aux struct {
		*plain
		StartTime jsonTime `json:"start_time"`
	}
	aux.plain = (*plain)(p)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.StartTime = time.Time(aux.StartTime)
	return nil
}

// ListPastInstances returns the ended instances of a webinar, one uuid per
// held instance. The endpoint is not paginated.
//
// Zoom API: GET /past_webinars/{webinarId}/instances
func (s *WebinarsService) ListPastInstances(ctx context.Context, webinarID int64) ([]*PastInstance, *Response, error) {
	body, resp, err := requestValue[struct {
		Webinars []*PastInstance `json:"webinars"`
	}](ctx, s.client, "GET", "past_webinars/"+strconv.FormatInt(webinarID, 10)+"/instances", nil, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Webinars, resp, nil
}

// Registrant statuses (the status filter of ListRegistrants).
const (
	RegistrantApproved = "approved"
	RegistrantPending  = "pending"
	RegistrantDenied   = "denied"
)

// Registrant is a webinar registrant (zoom-api.md §6.4).
type Registrant struct {
	ID                    string           `json:"id"`
	Email                 string           `json:"email"`
	FirstName             string           `json:"first_name"`
	LastName              string           `json:"last_name"`
	Address               string           `json:"address"`
	City                  string           `json:"city"`
	State                 string           `json:"state"`
	Zip                   string           `json:"zip"`
	Country               string           `json:"country"`
	Phone                 string           `json:"phone"`
	Industry              string           `json:"industry"`
	Org                   string           `json:"org"`
	JobTitle              string           `json:"job_title"`
	PurchasingTimeFrame   string           `json:"purchasing_time_frame"`
	RoleInPurchaseProcess string           `json:"role_in_purchase_process"`
	NoOfEmployees         string           `json:"no_of_employees"`
	Comments              string           `json:"comments"`
	CustomQuestions       []CustomQuestion `json:"custom_questions"`
	Status                string           `json:"status"`
	CreateTime            time.Time        `json:"create_time"`
	JoinURL               string           `json:"join_url"`
}

// UnmarshalJSON tolerates an "" create_time.
func (r *Registrant) UnmarshalJSON(b []byte) error {
	type plain Registrant
	var aux struct {
		*plain
		CreateTime jsonTime `json:"create_time"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.CreateTime = time.Time(aux.CreateTime)
	return nil
}

// CustomQuestion is a registrant's answer to a custom question.
type CustomQuestion struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// RegistrantListOptions filters GET /webinars/{webinarId}/registrants.
type RegistrantListOptions struct {
	// Status is "approved" (Zoom's default when empty), "pending" or
	// "denied"; list once per status to get every registrant.
	Status string
	// OccurrenceID restricts a type 9 webinar to one occurrence.
	OccurrenceID string
	ListOptions
}

// ListRegistrants returns one page of a webinar's registrants of one status.
//
// Zoom API: GET /webinars/{webinarId}/registrants
func (s *WebinarsService) ListRegistrants(ctx context.Context, webinarID int64, opts *RegistrantListOptions) ([]*Registrant, *Response, error) {
	q := url.Values{}
	var lo *ListOptions
	if opts != nil {
		if opts.Status != "" {
			q.Set("status", opts.Status)
		}
		if opts.OccurrenceID != "" {
			q.Set("occurrence_id", opts.OccurrenceID)
		}
		lo = &opts.ListOptions
	}
	lo.addTo(q)
	body, resp, err := requestValue[struct {
		Registrants []*Registrant `json:"registrants"`
	}](ctx, s.client, "GET", "webinars/"+strconv.FormatInt(webinarID, 10)+"/registrants", q, nil)
	if err != nil {
		return nil, resp, err
	}
	return body.Registrants, resp, nil
}

// ListRegistrantsIter walks every page of ListRegistrants. opts is copied,
// never changed.
//
// Zoom API: GET /webinars/{webinarId}/registrants
func (s *WebinarsService) ListRegistrantsIter(ctx context.Context, webinarID int64, opts *RegistrantListOptions) iter.Seq2[*Registrant, error] {
	return pagesOf(opts, func(p *RegistrantListOptions) ([]*Registrant, *Response, error) {
		return s.ListRegistrants(ctx, webinarID, p)
	})
}
