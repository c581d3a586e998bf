//go:build !race

package ortdetect_test

const raceEnabled = false
