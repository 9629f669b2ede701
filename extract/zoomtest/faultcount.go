package zoomtest

// FaultsFired counts, by kind name (as in ParseFaults specs), how many
// requests the injected faults hit so far.
func (s *Server) FaultsFired() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, f := range s.faults {
		if f.applied > 0 {
			out[f.Kind.String()] += f.applied
		}
	}
	return out
}
