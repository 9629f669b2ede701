package zoomtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The data of this file (panelists, auto_recording, cloud recordings and their transcripts,
// plain meetings, a recently expired webinar) came after the rest of the generator. Each part
// draws from a random stream of its own, started after every earlier draw, so that the
// webinars, registrants and participants generated before stay exactly as they were.

// genRecentExpiredWebinar appends a webinar held ~100 days before Now that has expired since:
// GET /users/{userId}/webinars no longer lists it, but it lies inside the six-month window of
// GET /report/users/{userId}/meetings, which is how a client discovers it.
func (g *gen) genRecentExpiredWebinar(acct *Account, seed uint64) {
	g.r = rand.New(rand.NewPCG(seed^0x6578706972656421, seed+0x77))
	p := webinarPlan{kind: "expired", typ: 5, held: 1, firstAgo: 100, approval: 0, regs: [2]int{80, 150},
		attend: 0.6, expired: true}
	acct.Webinars = append(acct.Webinars, g.webinar(p, g.hosts[2%len(g.hosts)]))
}

// genExtras adds panelists, auto_recording settings, cloud recordings and plain meetings to
// every webinar of acct, drawing from a stream of its own.
//
// Recordings, for webinars with auto_recording cloud (all but those without registration,
// which record locally):
//   - every held instance has one with MP4, M4A, TRANSCRIPT, CC and TIMELINE files, most a
//     CHAT file, some a CSV poll file (the first instance always has every type);
//   - exceptions, chosen by rule so tests can find them: the instance that ended last has
//     its TRANSCRIPT still "processing" (no CC yet); the first instance of a webinar held
//     twice (the dropped one of a restarted webinar) has no recording; the second instance
//     of the first type 6 webinar has its recording in the trash (DeletedTime set; the
//     endpoint answers 3301 for both); simulive webinars' recordings have no transcript or
//     captions.
func (g *gen) genExtras(acct *Account, seed uint64) {
	g.r = rand.New(rand.NewPCG(seed^0x7265636f7264696e, seed+0x33))
	users := map[string]*User{}
	for _, u := range acct.Users {
		if u.ID != "" {
			users[u.ID] = u
		}
	}
	var last *Instance
	for _, w := range acct.Webinars {
		w.AutoRecording = "cloud"
		if w.ApprovalType == 2 {
			w.AutoRecording = "local"
		}
		g.panelists(w, users)
		for _, in := range w.Instances {
			if !in.EndTime.After(g.now) && (last == nil || in.EndTime.After(last.EndTime)) {
				last = in
			}
		}
	}
	first, trashedDone := true, false
	for _, w := range acct.Webinars {
		if w.AutoRecording != "cloud" {
			continue
		}
		for k, in := range w.Instances {
			if in.EndTime.After(g.now) {
				continue
			}
			if w.Type == 5 && len(w.Instances) == 2 && k == 0 {
				continue // dropped after a few minutes: nothing recorded
			}
			rec := g.recording(w, in, users, recordingOpts{
				all:        first,
				processing: in == last,
				noTextFile: w.IsSimulive,
			})
			if w.Type == 6 && k == 1 && !trashedDone {
				rec.DeletedTime = in.EndTime.Add(72 * time.Hour)
				trashedDone = true
			}
			in.Recording = rec
			first = false
		}
	}
	g.meetings(acct)
}

// Panelist is a panelist of a webinar.
type Panelist struct {
	ID      string
	Name    string
	Email   string
	JoinURL string
	// NameTagName and NameTagDescription are the name tag shown in the webinar.
	NameTagName        string
	NameTagDescription string
}

// panelists sets w.Panelists: the account users other than the host that joined one of its
// instances, then zero to two outside speakers.
func (g *gen) panelists(w *Webinar, users map[string]*User) {
	seen := map[string]bool{w.HostID: true}
	for _, in := range w.Instances {
		for _, p := range in.Participants {
			u := users[p.ID]
			if u == nil || seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			w.Panelists = append(w.Panelists, Panelist{ID: u.ID, Name: u.DisplayName, Email: u.Email,
				JoinURL: fmt.Sprintf("https://zoom.us/w/%d?tk=%s", w.ID, g.zoomID()+g.zoomID()), NameTagName: u.DisplayName,
				NameTagDescription: u.Dept})
		}
	}
	for range g.r.IntN(3) {
		ps := g.people[g.r.IntN(len(g.people))]
		if reportEmail(ps.email) == "" || seen[ps.email] {
			continue
		}
		seen[ps.email] = true
		w.Panelists = append(w.Panelists, Panelist{ID: g.zoomID(), Name: ps.first + " " + ps.last, Email: ps.email,
			JoinURL:     fmt.Sprintf("https://zoom.us/w/%d?tk=%s", w.ID, g.zoomID()+g.zoomID()),
			NameTagName: ps.first + " " + ps.last, NameTagDescription: ps.title + ", " + ps.org})
	}
}

// Recording is the cloud recording of one webinar instance.
type Recording struct {
	StartTime time.Time
	Duration  int // minutes
	// DeletedTime is set when the recording was moved to the trash: GET
	// /meetings/{meetingId}/recordings then answers 404/3301 as if there were none.
	DeletedTime time.Time
	Files       []*RecordingFile
}

// RecordingFile is one file of a cloud recording.
type RecordingFile struct {
	// ID is the file id; "" for CC and TIMELINE files, which Zoom lists without one.
	ID string
	// DownloadKey names the file in its download URL: <server>/rec/download/<DownloadKey>.
	DownloadKey    string
	PlayKey        string // play_url is https://zoom.us/rec/play/<PlayKey>; "" for CC and TIMELINE
	FileType       string // MP4, M4A, TRANSCRIPT, CC, TIMELINE, CHAT, CSV
	FileExtension  string // MP4, M4A, VTT, JSON, TXT, CSV
	RecordingType  string // shared_screen_with_speaker_view, audio_only, audio_transcript, closed_caption, timeline, chat_file, poll
	RecordingStart time.Time
	RecordingEnd   time.Time
	// Size is file_size: the size of the real file, which for MP4 and M4A is far more than
	// the placeholder body the download serves. 0 for CC and TIMELINE (not listed).
	Size int64
	// Status is "completed" or "processing"; "" for CC and TIMELINE (not listed).
	Status string
	// Content is the body the download serves: the whole file for VTT, TXT, JSON and CSV
	// files; for MP4 and M4A a short placeholder. Empty while processing.
	Content string
}

type recordingOpts struct {
	all        bool // every file type, CHAT and CSV included
	processing bool // TRANSCRIPT still processing, no CC yet
	noTextFile bool // no TRANSCRIPT nor CC (audio transcript off)
}

func (g *gen) fileID() string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", g.r.Uint32(), g.r.Uint32()&0xffff, g.r.Uint32()&0xfff,
		0x8000|g.r.Uint32()&0x3fff, g.r.Uint64()&0xffffffffffff)
}

func (g *gen) recording(w *Webinar, in *Instance, users map[string]*User, o recordingOpts) *Recording {
	start := in.StartTime.Add(g.secs(2*time.Second, 40*time.Second))
	end := in.EndTime.Add(-g.secs(time.Second, 20*time.Second))
	span := end.Sub(start)
	rec := &Recording{StartTime: in.StartTime, Duration: int(in.EndTime.Sub(in.StartTime).Round(time.Minute) / time.Minute)}
	add := func(f *RecordingFile) {
		f.RecordingStart, f.RecordingEnd = start, end
		if f.FileType != "CC" && f.FileType != "TIMELINE" {
			f.ID, f.PlayKey = g.fileID(), g.zoomID()+g.zoomID()
			f.DownloadKey = f.ID
			if f.Status == "" {
				f.Status = "completed"
			}
			if f.Size == 0 {
				f.Size = int64(len(f.Content))
			}
		} else {
			f.DownloadKey = g.zoomID() + g.zoomID()
			f.Size, f.Status = 0, ""
		}
		rec.Files = append(rec.Files, f)
	}
	secs := int64(span / time.Second)
	add(&RecordingFile{FileType: "MP4", FileExtension: "MP4", RecordingType: "shared_screen_with_speaker_view",
		Size: secs * (40_000 + g.r.Int64N(40_000)), Content: "zoomtest placeholder: MP4 video\n"})
	add(&RecordingFile{FileType: "M4A", FileExtension: "M4A", RecordingType: "audio_only",
		Size: secs * (15_000 + g.r.Int64N(3_000)), Content: "zoomtest placeholder: M4A audio\n"})
	if !o.noTextFile {
		vtt := g.transcript(w, in, users, span)
		if o.processing {
			add(&RecordingFile{FileType: "TRANSCRIPT", FileExtension: "VTT", RecordingType: "audio_transcript",
				Status: "processing"})
		} else {
			add(&RecordingFile{FileType: "TRANSCRIPT", FileExtension: "VTT", RecordingType: "audio_transcript", Content: vtt})
			add(&RecordingFile{FileType: "CC", FileExtension: "VTT", RecordingType: "closed_caption", Content: vtt})
		}
	}
	add(&RecordingFile{FileType: "TIMELINE", FileExtension: "JSON", RecordingType: "timeline", Content: g.timeline(in)})
	if o.all || g.chance(0.7) {
		add(&RecordingFile{FileType: "CHAT", FileExtension: "TXT", RecordingType: "chat_file", Content: g.chat(in, span)})
	}
	if o.all || g.chance(0.4) {
		add(&RecordingFile{FileType: "CSV", FileExtension: "CSV", RecordingType: "poll", Content: g.poll(in)})
	}
	return rec
}

var transcriptLines = []string{
	"Welcome everyone, thanks for joining us today.",
	"Let me share my screen so you can follow along.",
	"Before we start, a quick note: this session is being recorded.",
	"The first thing we looked at was how teams onboard new data sources.",
	"We saw a forty percent drop in time to first dashboard.",
	"Here is the architecture we ended up with after the migration.",
	"A question from the Q&A: does this work with our existing CRM?",
	"Yes, and we will send the slides after the session.",
	"Let me hand over to my colleague for the live demo.",
	"You can see the pipeline picking up the new records right away.",
	"The pricing changes take effect at the start of next quarter.",
	"Security reviews are part of every release we ship.",
	"We have about ten minutes left for your questions.",
	"Great question, we are working on that for the next release.",
	"Thanks again for joining, and see you at the next session.",
	"If you missed the beginning, the recording will be available tomorrow.",
	"Please fill in the short survey at the end, it helps us a lot.",
	"That brings us to the roadmap for the rest of the year.",
}

// transcript returns a WebVTT transcript of the instance: 10–40 numbered cues, timed within
// the recording span, spoken by the host and the panelists who joined that instance.
func (g *gen) transcript(w *Webinar, in *Instance, users map[string]*User, span time.Duration) string {
	var speakers []string
	seen := map[string]bool{}
	for _, p := range in.Participants {
		if u := users[p.ID]; u != nil && p.Status == "in_meeting" && !seen[u.ID] {
			seen[u.ID] = true
			speakers = append(speakers, u.DisplayName)
		}
	}
	if len(speakers) == 0 {
		if u := users[w.HostID]; u != nil {
			speakers = []string{u.DisplayName}
		} else {
			speakers = []string{"Host"}
		}
	}
	n := 10 + g.r.IntN(31)
	slot := span / time.Duration(n)
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	for k := range n {
		s := time.Duration(k)*slot + time.Duration(g.r.Int64N(int64(slot/4)+1))
		e := s + min(slot/2, 2*time.Second+time.Duration(g.r.Int64N(int64(7*time.Second))))
		s, e = s.Truncate(time.Millisecond), e.Truncate(time.Millisecond)
		speaker := speakers[0]
		if k > 0 && len(speakers) > 1 && g.chance(0.5) {
			speaker = speakers[g.r.IntN(len(speakers))]
		}
		fmt.Fprintf(&b, "\n%d\n%s --> %s\n%s: %s\n", k+1, vttTime(s), vttTime(e), speaker, g.pick(transcriptLines))
	}
	return b.String()
}

// vttTime formats an offset as hh:mm:ss.mmm.
func vttTime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

func (g *gen) timeline(in *Instance) string {
	var b strings.Builder
	b.WriteString(`{"timeline":[`)
	n := 0
	for _, p := range in.Participants {
		if p.Status != "in_meeting" || n == 5 {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		off := max(p.JoinTime.Sub(in.StartTime), 0)
		fmt.Fprintf(&b, `{"ts":%q,"users":[{"username":%q,"userId":%q,"email_address":%q}]}`,
			vttTime(off), p.Name, p.UserID, p.Email)
		n++
	}
	b.WriteString("]}\n")
	return b.String()
}

var chatLines = []string{"Hello from Berlin!", "Can you share the slides?", "Great session, thanks!",
	"Is there a recording?", "The audio is a bit low", "Thanks, very helpful", "Where can I sign up for the beta?"}

func (g *gen) chat(in *Instance, span time.Duration) string {
	var names []string
	for _, p := range in.Participants {
		if p.Status == "in_meeting" {
			names = append(names, p.Name)
		}
	}
	var b strings.Builder
	var offs []time.Duration
	for range 3 + g.r.IntN(8) {
		offs = append(offs, time.Duration(g.r.Int64N(int64(span/time.Second)+1))*time.Second)
	}
	slices.Sort(offs)
	for _, off := range offs {
		fmt.Fprintf(&b, "%s\t From  %s  to  Everyone:\r\n\t%s\r\n", vttTime(off)[:8], names[g.r.IntN(len(names))], g.pick(chatLines))
	}
	return b.String()
}

func (g *gen) poll(in *Instance) string {
	var b strings.Builder
	b.WriteString("#,User Name,Email Address,Submitted Date/Time,Question,Answer\r\n")
	n := 0
	for _, p := range in.Participants {
		if p.Status != "in_meeting" || p.Email == "" || !g.chance(0.3) {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d,%s,%s,%s,How useful was this session?,%s\r\n", n, p.Name, p.Email,
			p.LeaveTime.Add(-time.Minute).UTC().Format("Jan 2 2006 15:04:05"), g.pick([]string{"Very", "Somewhat", "Not really"}))
	}
	return b.String()
}

// Meeting is a plain meeting (type 2) a host held; only GET /report/users/{userId}/meetings
// shows it.
type Meeting struct {
	UUID              string
	ID                int64
	HostID            string
	Topic             string
	Type              int // 2 scheduled meeting
	StartTime         time.Time
	EndTime           time.Time
	ParticipantsCount int // unique participants
	TotalMinutes      int
}

var meetingTopics = []string{"Weekly team sync", "Campaign planning", "1:1", "Vendor call", "Webinar dry run"}

// meetings gives each host three plain meetings in the last 150 days; the first host's last
// one had a single participant, so the report leaves it out (two unique participants needed).
func (g *gen) meetings(acct *Account) {
	for hi, h := range g.hosts {
		for k := range 3 {
			start := g.now.AddDate(0, 0, -(10 + g.r.IntN(140))).Truncate(time.Hour).Add(time.Duration(9+g.r.IntN(8)) * time.Hour)
			dur := time.Duration(20+g.r.IntN(40)) * time.Minute
			n := 2 + g.r.IntN(8)
			if hi == 0 && k == 2 {
				n = 1
			}
			acct.Meetings = append(acct.Meetings, &Meeting{
				UUID: g.uuid(false), ID: g.webinarID(), HostID: h.ID, Topic: g.pick(meetingTopics), Type: 2,
				StartTime: start, EndTime: start.Add(dur), ParticipantsCount: n,
				TotalMinutes: n * int(dur/time.Minute) * 9 / 10,
			})
		}
	}
	slices.SortStableFunc(acct.Meetings, func(a, b *Meeting) int { return a.StartTime.Compare(b.StartTime) })
}
