package schema

// Audit categories: the category column of out/audit, worded like the
// lines of the audit log of HubSpot's own Zoom integration, so that every
// sync error it names has the same category here (DESIGN.md, "Rules the
// transform applies"). AuditCategories lists them in order.
const (
	CategorySyncSettingDisabled  = "sync setting disabled"
	CategoryRecordingNotSynced   = "recording/transcript not synced"
	CategoryAttendeesNotSynced   = "some attendees did not sync" // guests without email, instances with no participant data
	CategoryWebinarDataNotSynced = "webinar data not synced"
	CategoryEmailsExcluded       = "emails excluded"
	// The sync errors of the integration's audit log, each its own category.
	CategoryTranscriptNotFound = "transcript not found"
	CategoryTimelineNotCreated = "timeline event not created"
	CategoryPropertyNotUpdated = "contact property not updated"
	CategoryZoomDataNotFound   = "connected Zoom account data not found"
)

// AuditCategories returns every audit category, in the order of the
// integration's audit log.
func AuditCategories() []string {
	return []string{CategorySyncSettingDisabled, CategoryRecordingNotSynced, CategoryAttendeesNotSynced,
		CategoryWebinarDataNotSynced, CategoryEmailsExcluded, CategoryTranscriptNotFound,
		CategoryTimelineNotCreated, CategoryPropertyNotUpdated, CategoryZoomDataNotFound}
}

// Reason codes: the reason column of raw/extract_issues (written by the
// extractor and its selector) and of out/audit (written by the transform).
// Each is described, with its category and message, by AuditReasons.
const (
	// Webinars the settings keep out (the selector of pipelines decides).
	ReasonHostNotSelected    = "host_not_selected"
	ReasonSyncSettingOff     = "sync_setting_off"
	ReasonWebinarSwitchedOff = "webinar_switched_off"
	ReasonHostDomainExcluded = "host_domain_excluded"
	ReasonRecordingsOff      = "recordings_setting_off"
	// ReasonZoomEventsWebinar: a webinar created in Zoom Events (a session
	// of an event, GET /zoom_events/events/{eventId}/sessions names its
	// webinar_id). HubSpot's integration does not support them.
	ReasonZoomEventsWebinar = "zoom_events_webinar"
	// ReasonRecordingDomainExcluded: the host's email domain is in
	// zoom.excluded_recording_domains: the webinar syncs, its recordings and
	// transcripts do not.
	ReasonRecordingDomainExcluded = "recording_domain_excluded"

	// Webinar data the extractor could not get.
	ReasonReportTooOld   = "report_too_old"  // Zoom answered 400 code 12702
	ReasonReportMissing  = "report_missing"  // Zoom answered 404 for an instance's report
	ReasonNoRegistration = "no_registration" // approval_type 2: the webinar takes no registrants
	ReasonWebinarMissing = "webinar_missing" // listed, then 404 on detail
	// ReasonBackfillWindowTooOld: report/users/meetings refused a window
	// older than Zoom keeps reports for.
	ReasonBackfillWindowTooOld = "report_window_too_old"

	// Recordings and transcripts.
	ReasonRecordingMissing    = "recording_missing"    // 404 code 3301: no cloud recording, or every file deleted
	ReasonRecordingProcessing = "recording_processing" // a file's status is not completed yet
	ReasonNoAttendees         = "no_attendees"         // nobody attended: the recording is not synced
	ReasonTranscriptNotFound  = "transcript_not_found" // the transcript file could not be downloaded
	ReasonTranscriptMalformed = "transcript_malformed" // cues of the VTT file that could not be read

	// Reasons only the transform emits.
	ReasonGuestNoEmail      = "guest_no_email"     // a participant (or registrant) without an email
	ReasonInvalidEmail      = "invalid_email"      // an email that is not a valid address
	ReasonReportUnavailable = "report_unavailable" // an instance without a report: its attendance is unknown

	// The people rules of transform/sql/065_rules.sql (category "emails excluded").
	ReasonExcludedDomain = "excluded_domain" // the email is in an excluded contact domain (or a subdomain)
	ReasonCRMUser        = "crm_user"        // the email is a CRM user's
	ReasonContactDeleted = "contact_deleted" // a contact the loader made was archived or GDPR-deleted in the CRM
	ReasonSecondaryEmail = "secondary_email" // the email is another contact's secondary email

	// Rows the CRM rejected at load time (load_log outcome failed), audited
	// with HubSpot's message by pipelines.Audit, one reason per kind of
	// object the loader writes.
	ReasonContactRejected        = "contact_rejected"         // a contact upsert (its properties) refused
	ReasonMarketingEventRejected = "marketing_event_rejected" // a webinar instance's marketing event refused
	ReasonParticipationRejected  = "participation_rejected"   // a registration or attendance on a marketing event refused
	ReasonCallRejected           = "call_rejected"            // a recording's call record (or its association) refused

	// ReasonTimelineEventNotCreated: the load created no timeline event
	// for the registration, attendance or recording (the route of
	// hubspot.events is off or unavailable, or HubSpot refused it); the
	// detail says why. Written by the load into load_audit.
	ReasonTimelineEventNotCreated = "timeline_event_not_created"
)

// AuditReason describes one reason code. The transform fills the DuckDB table
// audit_reasons with AuditReasons at every run (one column per field, in
// snake case) and the SQL joins it, so the facts below are written once.
type AuditReason struct {
	Reason   string // the reason code
	Category string // the audit category of its rows
	// Message is the line of the integration's audit log for such a row.
	Message string
	// ReportedAs is the reason an extract issue with this code is audited
	// as, when not its own ("" keeps the code).
	ReportedAs string
	// SkipsWebinar: the extractor skipped the whole webinar by a setting;
	// the webinar counts for nothing while the newest extraction says so.
	SkipsWebinar bool
	// Redecided: the extractor decides it again at every run, or only the
	// run that made it does (a backfill's windows: a one-off backfill is
	// not repeated by the syncs after it), so only the newest extraction's
	// issues are open.
	Redecided bool
	// SettledBy names what a later fetch of the instance settles the issue
	// with: "report" (an instance report), "recording", "transcript"; ""
	// when nothing does.
	SettledBy string
}

// AuditReasons returns every reason code with its category and message, in
// a fixed order. An extract issue with a code not listed here is audited
// under CategoryWebinarDataNotSynced.
func AuditReasons() []AuditReason {
	return []AuditReason{
		{Reason: ReasonHostNotSelected, Category: CategorySyncSettingDisabled, SkipsWebinar: true, Redecided: true,
			Message: "Webinar not synced: its host is not selected for sync"},
		{Reason: ReasonSyncSettingOff, Category: CategorySyncSettingDisabled, SkipsWebinar: true, Redecided: true,
			Message: "Webinar not synced: new webinars of this host are set not to sync"},
		{Reason: ReasonWebinarSwitchedOff, Category: CategorySyncSettingDisabled, SkipsWebinar: true, Redecided: true,
			Message: "Webinar not synced: sync is switched off for this webinar"},
		{Reason: ReasonHostDomainExcluded, Category: CategorySyncSettingDisabled, SkipsWebinar: true, Redecided: true,
			Message: "Webinar not synced: its host's email domain is excluded"},
		{Reason: ReasonZoomEventsWebinar, Category: CategoryWebinarDataNotSynced, SkipsWebinar: true, Redecided: true,
			Message: "Webinar not synced: webinars created in Zoom Events are not supported"},
		{Reason: ReasonRecordingsOff, Category: CategoryRecordingNotSynced, Redecided: true,
			Message: "Recording not synced: recordings and transcripts are set not to sync for this host"},
		{Reason: ReasonRecordingDomainExcluded, Category: CategoryRecordingNotSynced, Redecided: true,
			Message: "Recording not synced: recordings of hosts in this email domain are excluded"},
		{Reason: ReasonNoAttendees, Category: CategoryRecordingNotSynced, Redecided: true,
			Message: "Recording not synced: the webinar had no attendees"},
		{Reason: ReasonRecordingMissing, Category: CategoryRecordingNotSynced, SettledBy: "recording",
			Message: "Recording not synced: the recording is missing or was deleted"},
		{Reason: ReasonRecordingProcessing, Category: CategoryRecordingNotSynced, SettledBy: "recording",
			Message: "Recording not synced: the recording is still processing"},
		{Reason: ReasonTranscriptNotFound, Category: CategoryTranscriptNotFound, SettledBy: "transcript",
			Message: "Sync error: transcript not found"},
		{Reason: ReasonTranscriptMalformed, Category: CategoryTranscriptNotFound, SettledBy: "transcript",
			Message: "Sync error: the transcript could not be read"},
		{Reason: ReasonGuestNoEmail, Category: CategoryAttendeesNotSynced,
			Message: "Some attendees did not sync: joined as a guest without an email"},
		{Reason: ReasonInvalidEmail, Category: CategoryEmailsExcluded,
			Message: "Email excluded: not a valid email address"},
		{Reason: ReasonReportUnavailable, Category: CategoryAttendeesNotSynced, SettledBy: "report",
			Message: "Some attendees did not sync: the instance has no participant data (its report is unavailable)"},
		{Reason: ReasonReportTooOld, Category: CategoryAttendeesNotSynced, ReportedAs: ReasonReportUnavailable, SettledBy: "report",
			Message: "Some attendees did not sync: the attendance report is older than Zoom keeps reports"},
		{Reason: ReasonReportMissing, Category: CategoryAttendeesNotSynced, ReportedAs: ReasonReportUnavailable, SettledBy: "report",
			Message: "Some attendees did not sync: Zoom has no attendance report for the instance"},
		{Reason: ReasonNoRegistration, Category: CategoryWebinarDataNotSynced,
			Message: "Webinar data not synced: the webinar takes no registrations"},
		{Reason: ReasonWebinarMissing, Category: CategoryZoomDataNotFound,
			Message: "Sync error: connected Zoom account data not found for the webinar"},
		{Reason: ReasonBackfillWindowTooOld, Category: CategoryWebinarDataNotSynced, Redecided: true,
			Message: "Webinar data not synced: the period is older than Zoom keeps reports"},
		{Reason: ReasonExcludedDomain, Category: CategoryEmailsExcluded,
			Message: "Email excluded: its domain is an excluded contact domain"},
		{Reason: ReasonCRMUser, Category: CategoryEmailsExcluded,
			Message: "Email excluded: it is a CRM user's email"},
		{Reason: ReasonContactDeleted, Category: CategoryEmailsExcluded,
			Message: "Email excluded: the contact was deleted in the CRM"},
		{Reason: ReasonSecondaryEmail, Category: CategoryEmailsExcluded,
			Message: "Email excluded: it is another contact's secondary email"},
		{Reason: ReasonContactRejected, Category: CategoryPropertyNotUpdated,
			Message: "Sync error: contact property not updated (HubSpot rejected the contact)"},
		{Reason: ReasonMarketingEventRejected, Category: CategoryWebinarDataNotSynced,
			Message: "Webinar data not synced: HubSpot rejected the marketing event"},
		{Reason: ReasonParticipationRejected, Category: CategoryAttendeesNotSynced,
			Message: "Some attendees did not sync: HubSpot rejected the registration or attendance"},
		{Reason: ReasonCallRejected, Category: CategoryRecordingNotSynced,
			Message: "Recording not synced: HubSpot rejected the call record"},

		{Reason: ReasonTimelineEventNotCreated, Category: CategoryTimelineNotCreated,
			Message: "Sync error: timeline event not created"},
	}
}
