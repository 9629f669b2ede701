//go:build !race

package vtt

const raceEnabled = false
