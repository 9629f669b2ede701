//go:build race

package vtt

// raceEnabled: the race detector slows the parser by an order of
// magnitude, so wall-time bounds say nothing under it.
const raceEnabled = true
