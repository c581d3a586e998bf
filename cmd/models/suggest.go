package main

import (
	"fmt"
	"strings"
)

// didYouMean returns ` (did you mean "VERB"?)` when word is a verb or an
// alias of one with a typo or two (a letter missing, extra, swapped or
// wrong), and "" otherwise.
func didYouMean(word string) string {
	best, bestD := "", 3
	for _, c := range commands {
		for _, n := range append([]string{c.name}, c.aliases...) {
			if d := typoDistance(strings.ToLower(word), n); d < bestD && d <= max(1, len(n)/3) {
				best, bestD = n, d
			}
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// typoDistance is the optimal string alignment distance of a and b: the
// edits (insert, delete, substitute, swap two neighbours) that turn a into
// b, each counted once.
func typoDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
