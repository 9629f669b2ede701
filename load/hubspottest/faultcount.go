package hubspottest

// FaultsFired counts, by kind name (as in ParseFaults specs), how many
// requests the injected faults hit so far.
func (s *Server) FaultsFired() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, fs := range s.faults {
		if fs.applied > 0 {
			out[fs.f.Kind.String()] += fs.applied
		}
	}
	return out
}
