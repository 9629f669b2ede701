package schema

// Contact is one row of out/contacts: one person (a lower-cased, trimmed,
// valid email) with at least one counted registration or one attended
// instance, and the contact properties the CRM receives (DESIGN.md, "What
// the CRM receives"). The pointer fields are nil where the column is NULL:
// names and URL without a counted registration (or an empty name), the
// attendance percent and the last attended date without an attended
// instance. The question and poll counts are 0 for a contact with none.
type Contact struct {
	Email                               string   `parquet:"email,optional" json:"email"`
	FirstName                           *string  `parquet:"firstname,optional" json:"firstname"`
	LastName                            *string  `parquet:"lastname,optional" json:"lastname"`
	ZoomAverageWebinarAttendancePercent *float64 `parquet:"zoom_average_webinar_attendance_percent,optional" json:"zoom_average_webinar_attendance_percent"`
	ZoomLastRegisteredWebinarURL        *string  `parquet:"zoom_last_registered_webinar_url,optional" json:"zoom_last_registered_webinar_url"`
	ZoomTotalWebinarRegistrations       int64    `parquet:"zoom_total_webinar_registrations,optional" json:"zoom_total_webinar_registrations"`
	ZoomTotalWebinarsAttended           int64    `parquet:"zoom_total_webinars_attended,optional" json:"zoom_total_webinars_attended"`
	ZoomWebinarQuestionsAsked           int64    `parquet:"zoom_webinar_questions_asked,optional" json:"zoom_webinar_questions_asked"`
	ZoomWebinarPollsAnswered            int64    `parquet:"zoom_webinar_polls_answered,optional" json:"zoom_webinar_polls_answered"`
	// ZoomLastWebinarAttendedDate is the day (YYYY-MM-DD, UTC) of the latest
	// instance attended, as the attendance events' date; nil without one.
	ZoomLastWebinarAttendedDate *string `parquet:"zoom_last_webinar_attended_date,optional" json:"zoom_last_webinar_attended_date"`
}

// AuditRow is one row of out/audit: one raw row (or one webinar or instance)
// the transform left out, with the reason. Category is one of the audit
// categories of schema.AuditCategories ("some attendees did not sync", "webinar data not
// synced", "emails excluded", ...). Columns that do not apply are NULL and
// read as the zero value.
type AuditRow struct {
	RunID        string `parquet:"run_id,optional" json:"run_id"`
	Category     string `parquet:"category,optional" json:"category"`
	Reason       string `parquet:"reason,optional" json:"reason"`
	WebinarID    int64  `parquet:"webinar_id,optional" json:"webinar_id"`
	InstanceUUID string `parquet:"instance_uuid,optional" json:"instance_uuid"`
	Stream       string `parquet:"stream,optional" json:"stream"`
	Email        string `parquet:"email,optional" json:"email"`
	Detail       string `parquet:"detail,optional" json:"detail"`
}
