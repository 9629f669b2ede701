package zoomtest

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// decodeUUID decodes a raw path segment holding a webinar id or uuid: it unescapes while
// a '%' remains (the uuid alphabet has none; '+' stays '+') and reports how many passes it
// took. A uuid that starts with "/" or contains "//" must have been encoded twice.
func decodeUUID(raw string) (v string, passes int, err error) {
	v = raw
	for strings.Contains(v, "%") && passes < 4 {
		if v, err = url.PathUnescape(v); err != nil {
			return "", passes, err
		}
		passes++
	}
	return v, passes, nil
}

// webinarParam resolves {webinarId}: a numeric id, or a uuid (decoded per §1). It answers
// 404/3001 for a malformed or, in strict mode, single-encoded uuid that needed double encoding.
func (s *Server) webinarParam(c *call) (id int64, uuid string, errStatus int, errBody any) {
	return s.idParam(c.params["webinarId"])
}

// idParam resolves a raw path segment holding a numeric id or a uuid, as webinarParam.
func (s *Server) idParam(raw string) (id int64, uuid string, errStatus int, errBody any) {
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n > 0 {
		return n, "", 0, nil
	}
	v, passes, err := decodeUUID(raw)
	if err != nil || v == "" {
		errStatus, errBody = apiErr(http.StatusNotFound, 3001, "Webinar does not exist: %s.", raw)
		return
	}
	if s.cfg.strictUUID && passes < 2 && (strings.HasPrefix(v, "/") || strings.Contains(v, "//")) {
		errStatus, errBody = apiErr(http.StatusNotFound, 3001, "Webinar does not exist: %s.", v)
		return
	}
	return 0, v, 0, nil
}

// findWebinar resolves {webinarId} to a webinar: by id, by its uuid or by one of its
// instance uuids.
func (s *Server) findWebinar(c *call) (w *Webinar, errStatus int, errBody any) {
	id, uuid, st, eb := s.webinarParam(c)
	if st != 0 {
		return nil, st, eb
	}
	if uuid == "" {
		w = s.acct.Webinar(id)
	} else {
		for _, x := range s.acct.Webinars {
			if x.UUID == uuid {
				w = x
			}
		}
		if w == nil {
			w, _ = s.acct.Instance(uuid)
		}
	}
	if w == nil {
		st, eb := apiErr(http.StatusNotFound, 3001, "Webinar does not exist: %s.", c.params["webinarId"])
		return nil, st, eb
	}
	return w, 0, nil
}

// findInstance resolves {webinarId} of report endpoints: an id → its latest ended instance;
// a uuid → that instance. Instances older than a year (relative to Account.Now) answer
// 400/12702.
func (s *Server) findInstance(c *call) (w *Webinar, in *Instance, errStatus int, errBody any) {
	w, in, st, eb := s.findEndedInstance(c.params["webinarId"])
	if st != 0 {
		return nil, nil, st, eb
	}
	if in.StartTime.Before(s.acct.Now.AddDate(-1, 0, 0)) {
		st, eb := apiErr(http.StatusBadRequest, 12702, "Can not access a webinar a year ago.")
		return nil, nil, st, eb
	}
	return w, in, 0, nil
}

// findEndedInstance resolves a raw {webinarId} of /past_webinars and recordings endpoints:
// an id → its latest ended instance; a uuid → that instance, if it has ended. Not found →
// 404/3001.
func (s *Server) findEndedInstance(raw string) (w *Webinar, in *Instance, errStatus int, errBody any) {
	id, uuid, st, eb := s.idParam(raw)
	if st != 0 {
		return nil, nil, st, eb
	}
	if uuid == "" {
		w = s.acct.Webinar(id)
		if w == nil {
			st, eb := apiErr(http.StatusNotFound, 3001, "Meeting does not exist: %d.", id)
			return nil, nil, st, eb
		}
		for _, x := range w.Instances {
			if !x.EndTime.After(s.acct.Now) {
				in = x
			}
		}
	} else {
		w, in = s.acct.Instance(uuid)
		if w == nil {
			for _, x := range s.acct.Webinars {
				if x.UUID == uuid {
					w = x // the current uuid of a series, not held yet
				}
			}
		}
		if w == nil {
			st, eb := apiErr(http.StatusNotFound, 3001, "Meeting does not exist: %s.", uuid)
			return nil, nil, st, eb
		}
	}
	if in == nil || in.EndTime.After(s.acct.Now) {
		st, eb := apiErr(http.StatusNotFound, 3001, "Meeting ID is invalid or not end.")
		return nil, nil, st, eb
	}
	return w, in, 0, nil
}

// zt formats a time as Zoom does: RFC 3339, UTC, seconds.
func zt(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// --- GET /users ---

type userJSON struct {
	ID            string   `json:"id,omitempty"`
	FirstName     string   `json:"first_name"`
	LastName      string   `json:"last_name"`
	DisplayName   string   `json:"display_name"`
	Email         string   `json:"email"`
	Type          int      `json:"type"`
	PMI           int64    `json:"pmi,omitempty"`
	Timezone      string   `json:"timezone"`
	Verified      int      `json:"verified"`
	Dept          string   `json:"dept"`
	CreatedAt     string   `json:"created_at"`
	UserCreatedAt string   `json:"user_created_at"`
	LastLoginTime string   `json:"last_login_time,omitempty"`
	Status        string   `json:"status"`
	RoleID        string   `json:"role_id"`
	GroupIDs      []string `json:"group_ids"`
}

type usersPage struct {
	pageParams
	Users []userJSON `json:"users"`
}

// listUsers implements GET /users (status: active default | inactive | pending).
func (s *Server) listUsers(c *call) (int, any) {
	status := c.query("status")
	switch status {
	case "":
		status = "active"
	case "active", "inactive", "pending":
	default:
		return validationFailed("status")
	}
	var users []*User
	for _, u := range s.acct.Users {
		if u.Status == status {
			users = append(users, u)
		}
	}
	lo, hi, env, st, eb := s.page(c, "users|"+status, len(users))
	if st != 0 {
		return st, eb
	}
	out := usersPage{pageParams: env, Users: []userJSON{}}
	for i, u := range users[lo:hi] {
		j := userJSON{
			ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, DisplayName: u.DisplayName, Email: u.Email,
			Type: u.Type, Timezone: u.Timezone, Dept: u.Dept, CreatedAt: zt(u.CreatedAt), UserCreatedAt: zt(u.CreatedAt),
			Status: u.Status, RoleID: "2", GroupIDs: []string{},
		}
		if u.ID != "" {
			j.PMI = 5_550_000_000 + int64(lo+i)*7_919
			j.Verified = 1
			j.LastLoginTime = zt(s.acct.Now.Add(-time.Duration(lo+i+1) * 26 * time.Hour))
		}
		out.Users = append(out.Users, j)
	}
	return http.StatusOK, out
}

func validationFailed(field string) (int, any) {
	return http.StatusBadRequest, errorBody{Code: 300, Message: "Validation Failed.",
		Errors: []fieldError{{Field: field, Message: "Invalid field."}}}
}

// --- GET /users/{userId}/webinars ---

type webinarListItem struct {
	UUID       string `json:"uuid"`
	ID         int64  `json:"id"`
	HostID     string `json:"host_id"`
	Topic      string `json:"topic"`
	Type       int    `json:"type"`
	StartTime  string `json:"start_time"`
	Duration   int    `json:"duration"`
	Timezone   string `json:"timezone"`
	Agenda     string `json:"agenda"`
	CreatedAt  string `json:"created_at"`
	JoinURL    string `json:"join_url"`
	IsSimulive bool   `json:"is_simulive"`
}

type webinarsPage struct {
	pageParams
	Webinars []webinarListItem `json:"webinars"`
}

// pathUser resolves the {userId} path parameter: a user id, an email, or
// "me" (the first licensed host). It returns the (unescaped) value for messages and
// nil when no user matches.
func (s *Server) pathUser(c *call) (string, *User) {
	raw := c.r.PathValue("userId")
	if raw != "me" {
		return raw, s.acct.User(raw)
	}
	for _, x := range s.acct.Users {
		if x.Type == 2 && x.ID != "" {
			return raw, x
		}
	}
	return raw, nil
}

// listUserWebinars implements GET /users/{userId}/webinars: unexpired webinars of the host;
// type=upcoming keeps those that start after Account.Now or are live.
func (s *Server) listUserWebinars(c *call) (int, any) {
	raw, u := s.pathUser(c)
	if u == nil || u.ID == "" {
		return apiErr(http.StatusNotFound, 1001, "User does not exist: %s.", raw)
	}
	if u.Type != 2 {
		return apiErr(http.StatusBadRequest, 200, "Webinar plan is missing. Enable webinar for this user once the plan is added.")
	}
	typ := c.query("type")
	switch typ {
	case "":
		typ = "scheduled"
	case "scheduled", "upcoming":
	default:
		return validationFailed("type")
	}
	var list []*Webinar
	for _, w := range s.acct.Webinars {
		if w.HostID != u.ID || w.Expired {
			continue
		}
		live := !w.StartTime.After(s.acct.Now) && w.StartTime.Add(time.Duration(w.Duration)*time.Minute).After(s.acct.Now)
		if typ == "upcoming" && !w.StartTime.After(s.acct.Now) && !live {
			continue
		}
		list = append(list, w)
	}
	lo, hi, env, st, eb := s.page(c, "webinars|"+u.ID+"|"+typ, len(list))
	if st != 0 {
		return st, eb
	}
	out := webinarsPage{pageParams: env, Webinars: []webinarListItem{}}
	for _, w := range list[lo:hi] {
		agenda := w.Agenda
		if r := []rune(agenda); len(r) > 250 {
			agenda = string(r[:250])
		}
		out.Webinars = append(out.Webinars, webinarListItem{
			UUID: w.UUID, ID: w.ID, HostID: w.HostID, Topic: w.Topic, Type: w.Type, StartTime: zt(w.StartTime),
			Duration: w.Duration, Timezone: w.Timezone, Agenda: agenda, CreatedAt: zt(w.CreatedAt),
			JoinURL: w.JoinURL, IsSimulive: w.IsSimulive,
		})
	}
	return http.StatusOK, out
}

// --- GET /webinars/{webinarId} ---

type webinarJSON struct {
	UUID           string           `json:"uuid"`
	ID             int64            `json:"id"`
	HostID         string           `json:"host_id"`
	HostEmail      string           `json:"host_email"`
	Topic          string           `json:"topic"`
	Type           int              `json:"type"`
	StartTime      string           `json:"start_time"`
	Duration       int              `json:"duration"`
	Timezone       string           `json:"timezone"`
	Agenda         string           `json:"agenda"`
	CreatedAt      string           `json:"created_at"`
	StartURL       string           `json:"start_url"`
	JoinURL        string           `json:"join_url"`
	Password       string           `json:"password"`
	IsSimulive     bool             `json:"is_simulive"`
	RecordFileID   string           `json:"record_file_id,omitempty"`
	TrackingFields []trackingField  `json:"tracking_fields"`
	Recurrence     *recurrenceJSON  `json:"recurrence,omitempty"`
	Occurrences    []occurrenceJSON `json:"occurrences,omitempty"`
	Settings       settingsJSON     `json:"settings"`
}

type trackingField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

type recurrenceJSON struct {
	Type           int    `json:"type"`
	RepeatInterval int    `json:"repeat_interval"`
	WeeklyDays     string `json:"weekly_days,omitempty"`
	EndTimes       int    `json:"end_times"`
}

type occurrenceJSON struct {
	OccurrenceID string `json:"occurrence_id"`
	StartTime    string `json:"start_time"`
	Duration     int    `json:"duration"`
	Status       string `json:"status"`
}

type qaJSON struct {
	Enable                  bool   `json:"enable"`
	AllowSubmitQuestions    bool   `json:"allow_submit_questions"`
	AllowAnonymousQuestions bool   `json:"allow_anonymous_questions"`
	AnswerQuestions         string `json:"answer_questions"`
	AttendeesCanComment     bool   `json:"attendees_can_comment"`
	AttendeesCanUpvote      bool   `json:"attendees_can_upvote"`
	AllowAutoReply          bool   `json:"allow_auto_reply"`
	AutoReplyText           string `json:"auto_reply_text,omitempty"`
}

type settingsJSON struct {
	ApprovalType                 int    `json:"approval_type"`
	RegistrationType             int    `json:"registration_type,omitempty"`
	Audio                        string `json:"audio"`
	AutoRecording                string `json:"auto_recording"`
	AlternativeHosts             string `json:"alternative_hosts"`
	CloseRegistration            bool   `json:"close_registration"`
	ContactEmail                 string `json:"contact_email"`
	ContactName                  string `json:"contact_name"`
	EmailLanguage                string `json:"email_language"`
	HDVideo                      bool   `json:"hd_video"`
	HostVideo                    bool   `json:"host_video"`
	MeetingAuthentication        bool   `json:"meeting_authentication"`
	OnDemand                     bool   `json:"on_demand"`
	PanelistsVideo               bool   `json:"panelists_video"`
	PracticeSession              bool   `json:"practice_session"`
	PostWebinarSurvey            bool   `json:"post_webinar_survey"`
	QuestionAndAnswer            qaJSON `json:"question_and_answer"`
	RegistrantsConfirmationEmail bool   `json:"registrants_confirmation_email"`
	RegistrantsEmailNotification bool   `json:"registrants_email_notification"`
	RegistrantsRestrictNumber    int    `json:"registrants_restrict_number"`
	ShowShareButton              bool   `json:"show_share_button"`
	AllowMultipleDevices         bool   `json:"allow_multiple_devices"`
}

// getWebinar implements GET /webinars/{webinarId} (id or uuid). Expired webinars answer 404/3001.
func (s *Server) getWebinar(c *call) (int, any) {
	w, st, eb := s.findWebinar(c)
	if st != 0 {
		return st, eb
	}
	if w.Expired {
		return apiErr(http.StatusNotFound, 3001, "Webinar does not exist: %s.", c.params["webinarId"])
	}
	host := s.acct.User(w.HostID)
	j := webinarJSON{
		UUID: w.UUID, ID: w.ID, HostID: w.HostID, HostEmail: w.HostEmail, Topic: w.Topic, Type: w.Type,
		StartTime: zt(w.StartTime), Duration: w.Duration, Timezone: w.Timezone, Agenda: w.Agenda,
		CreatedAt: zt(w.CreatedAt), JoinURL: w.JoinURL, IsSimulive: w.IsSimulive, RecordFileID: w.RecordFileID,
		StartURL:       "https://zoom.us/s/" + strconv.FormatInt(w.ID, 10) + "?zak=zoomtest",
		Password:       "",
		TrackingFields: []trackingField{},
		Settings: settingsJSON{
			ApprovalType: w.ApprovalType, Audio: "both", AutoRecording: cmp.Or(w.AutoRecording, "cloud"), EmailLanguage: "en-US",
			HDVideo: true, HostVideo: true, PanelistsVideo: true, PracticeSession: true,
			QuestionAndAnswer: qaJSON{Enable: true, AllowSubmitQuestions: true, AllowAnonymousQuestions: true,
				AnswerQuestions: "all", AttendeesCanComment: true, AttendeesCanUpvote: true},
			RegistrantsConfirmationEmail: w.ApprovalType != 2, RegistrantsEmailNotification: w.ApprovalType != 2,
			ShowShareButton: true, OnDemand: w.IsSimulive,
		},
	}
	if host != nil {
		j.Settings.ContactEmail, j.Settings.ContactName = host.Email, host.DisplayName
	}
	if w.Type == 9 {
		j.Settings.RegistrationType = 1
		for _, o := range w.Occurrences {
			j.Occurrences = append(j.Occurrences, occurrenceJSON{OccurrenceID: o.ID, StartTime: zt(o.StartTime),
				Duration: o.Duration, Status: o.Status})
		}
		j.Recurrence = &recurrenceJSON{Type: 1, RepeatInterval: 1, EndTimes: len(w.Occurrences)}
		if len(w.Occurrences) > 1 {
			days := int(w.Occurrences[1].StartTime.Sub(w.Occurrences[0].StartTime).Hours()+12) / 24
			if days%7 == 0 {
				j.Recurrence.Type, j.Recurrence.RepeatInterval = 2, max(days/7, 1)
				j.Recurrence.WeeklyDays = strconv.Itoa(int(w.Occurrences[0].StartTime.Weekday()) + 1)
			} else {
				j.Recurrence.RepeatInterval = max(days, 1)
			}
		}
	}
	return http.StatusOK, j
}

// --- GET /webinars/{webinarId}/registrants ---

type registrantJSON struct {
	ID                    string           `json:"id"`
	Email                 string           `json:"email"`
	FirstName             string           `json:"first_name"`
	LastName              string           `json:"last_name"`
	Address               string           `json:"address"`
	City                  string           `json:"city"`
	Country               string           `json:"country"`
	Zip                   string           `json:"zip"`
	State                 string           `json:"state"`
	Phone                 string           `json:"phone"`
	Industry              string           `json:"industry"`
	Org                   string           `json:"org"`
	JobTitle              string           `json:"job_title"`
	PurchasingTimeFrame   string           `json:"purchasing_time_frame"`
	RoleInPurchaseProcess string           `json:"role_in_purchase_process"`
	NoOfEmployees         string           `json:"no_of_employees"`
	Comments              string           `json:"comments"`
	CustomQuestions       []customQuestion `json:"custom_questions"`
	Status                string           `json:"status"`
	CreateTime            string           `json:"create_time"`
	JoinURL               string           `json:"join_url"`
}

type customQuestion struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type registrantsPage struct {
	pageParams
	Registrants []registrantJSON `json:"registrants"`
}

// listRegistrants implements GET /webinars/{webinarId}/registrants (status: approved
// default | pending | denied). Webinars without registration answer 400/3000.
func (s *Server) listRegistrants(c *call) (int, any) {
	w, st, eb := s.findWebinar(c)
	if st != 0 {
		return st, eb
	}
	if w.Expired {
		return apiErr(http.StatusNotFound, 3001, "Webinar does not exist: %s.", c.params["webinarId"])
	}
	if w.ApprovalType == 2 {
		return apiErr(http.StatusBadRequest, 3000, "Webinar does not have registration as required: %d.", w.ID)
	}
	status := c.query("status")
	switch status {
	case "":
		status = "approved"
	case "approved", "pending", "denied":
	default:
		return validationFailed("status")
	}
	var list []*Registrant
	for _, r := range w.Registrants {
		if r.Status == status {
			list = append(list, r)
		}
	}
	lo, hi, env, st, eb := s.page(c, "registrants|"+strconv.FormatInt(w.ID, 10)+"|"+status+"|"+c.query("occurrence_id"), len(list))
	if st != 0 {
		return st, eb
	}
	out := registrantsPage{pageParams: env, Registrants: []registrantJSON{}}
	for _, r := range list[lo:hi] {
		out.Registrants = append(out.Registrants, registrantToJSON(r))
	}
	return http.StatusOK, out
}

func registrantToJSON(r *Registrant) registrantJSON {
	j := registrantJSON{
		ID: r.ID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Country: r.Country,
		Org: r.Org, JobTitle: r.JobTitle, CustomQuestions: []customQuestion{}, Status: r.Status,
		CreateTime: zt(r.CreateTime), JoinURL: r.JoinURL,
	}
	for _, q := range r.CustomQuestions {
		j.CustomQuestions = append(j.CustomQuestions, customQuestion(q))
	}
	return j
}

// --- GET /past_webinars/{webinarId}/instances ---

type instanceJSON struct {
	UUID      string `json:"uuid"`
	StartTime string `json:"start_time"`
}

type instancesJSON struct {
	Webinars []instanceJSON `json:"webinars"`
}

// listPastInstances implements GET /past_webinars/{webinarId}/instances: the ended
// instances, expired webinars included; never held → an empty list.
func (s *Server) listPastInstances(c *call) (int, any) {
	w, st, eb := s.findWebinar(c)
	if st != 0 {
		return st, eb
	}
	out := instancesJSON{Webinars: []instanceJSON{}}
	for _, in := range w.Instances {
		if !in.EndTime.After(s.acct.Now) {
			out.Webinars = append(out.Webinars, instanceJSON{UUID: in.UUID, StartTime: zt(in.StartTime)})
		}
	}
	return http.StatusOK, out
}

// --- GET /report/webinars/{webinarId} ---

type reportJSON struct {
	UUID              string          `json:"uuid"`
	ID                int64           `json:"id"`
	Type              int             `json:"type"`
	Topic             string          `json:"topic"`
	UserName          string          `json:"user_name"`
	UserEmail         string          `json:"user_email"`
	StartTime         string          `json:"start_time"`
	EndTime           string          `json:"end_time"`
	Duration          int             `json:"duration"`
	TotalMinutes      int             `json:"total_minutes"`
	ParticipantsCount int             `json:"participants_count"`
	Dept              string          `json:"dept"`
	TrackingFields    []trackingField `json:"tracking_fields"`
	CustomKeys        []customKey     `json:"custom_keys"`
}

type customKey struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// getWebinarReport implements GET /report/webinars/{webinarId} (id → latest instance, or uuid).
func (s *Server) getWebinarReport(c *call) (int, any) {
	w, in, st, eb := s.findInstance(c)
	if st != 0 {
		return st, eb
	}
	j := reportJSON{
		UUID: in.UUID, ID: w.ID, Type: w.Type, Topic: w.Topic, UserEmail: w.HostEmail,
		StartTime: zt(in.StartTime), EndTime: zt(in.EndTime),
		Duration:       int(in.EndTime.Sub(in.StartTime).Round(time.Minute) / time.Minute),
		TrackingFields: []trackingField{}, CustomKeys: []customKey{},
	}
	if host := s.acct.User(w.HostID); host != nil {
		j.UserName, j.Dept = host.DisplayName, host.Dept
	}
	secs := 0
	for _, p := range in.Participants {
		if p.Status == "in_meeting" {
			j.ParticipantsCount++
			secs += p.Duration
		}
	}
	j.TotalMinutes = secs / 60
	return http.StatusOK, j
}

// --- GET /report/webinars/{webinarId}/participants ---

type participantJSON struct {
	ID                string  `json:"id"`
	ParticipantUserID string  `json:"participant_user_id"`
	UserID            string  `json:"user_id"`
	Name              string  `json:"name"`
	UserEmail         string  `json:"user_email"`
	JoinTime          string  `json:"join_time"`
	LeaveTime         string  `json:"leave_time"`
	Duration          int     `json:"duration"`
	Failover          bool    `json:"failover"`
	Status            string  `json:"status"`
	RegistrantID      *string `json:"registrant_id,omitempty"`
}

type participantsPage struct {
	pageParams
	Participants []participantJSON `json:"participants"`
}

// listReportParticipants implements GET /report/webinars/{webinarId}/participants.
// registrant_id is present only with include_fields=registrant_id.
func (s *Server) listReportParticipants(c *call) (int, any) {
	_, in, st, eb := s.findInstance(c)
	if st != 0 {
		return st, eb
	}
	withReg := false
	for f := range strings.SplitSeq(c.query("include_fields"), ",") {
		if strings.TrimSpace(f) == "registrant_id" {
			withReg = true
		}
	}
	lo, hi, env, st, eb := s.page(c, "report_participants|"+in.UUID+"|"+c.query("include_fields"), len(in.Participants))
	if st != 0 {
		return st, eb
	}
	out := participantsPage{pageParams: env, Participants: []participantJSON{}}
	for _, p := range in.Participants[lo:hi] {
		j := participantJSON{
			ID: p.ID, ParticipantUserID: p.ID, UserID: p.UserID, Name: p.Name, UserEmail: p.Email,
			JoinTime: zt(p.JoinTime), LeaveTime: zt(p.LeaveTime), Duration: p.Duration, Failover: p.Failover,
			Status: p.Status,
		}
		if withReg {
			j.RegistrantID = &p.RegistrantID
		}
		out.Participants = append(out.Participants, j)
	}
	return http.StatusOK, out
}
