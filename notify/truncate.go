package notify

import (
	"strings"
	"unicode/utf8"
)

// TruncationMark ends a body that was cut to a platform's limit, so that readers know
// there was more (the link in the message leads to the whole of it).
const TruncationMark = "\n\n……（内容过长，已截断）"

// truncateBytes cuts s to at most max bytes of UTF-8, the mark included, at a rune boundary,
// and at the last line break when one is near the end (a half line reads worse than a
// missing one).
func truncateBytes(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	cut := max - len(TruncationMark)
	if cut <= 0 {
		return "", true
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return atLineBreak(s, cut) + TruncationMark, true
}

// truncateRunes is truncateBytes for limits counted in characters.
func truncateRunes(s string, max int) (string, bool) {
	if utf8.RuneCountInString(s) <= max {
		return s, false
	}
	keep := max - utf8.RuneCountInString(TruncationMark)
	if keep <= 0 {
		return "", true
	}
	cut, n := 0, 0
	for i := range s {
		if n == keep {
			cut = i
			break
		}
		n++
	}
	return atLineBreak(s, cut) + TruncationMark, true
}

// atLineBreak returns s[:cut], shortened to its last line break when that break lies in
// the last quarter.
func atLineBreak(s string, cut int) string {
	if i := strings.LastIndexByte(s[:cut], '\n'); i >= cut*3/4 {
		cut = i
	}
	return strings.TrimRight(s[:cut], " \t\n")
}

// fitBody truncates content until build(content) is at most max bytes. JSON escaping makes
// the body grow by more than the content, so it shortens by the excess and tries again; a
// few rounds always suffice because each removes at least the excess.
func fitBody(content string, max int, build func(string) ([]byte, error)) ([]byte, bool, error) {
	b, err := build(content)
	if err != nil || len(b) <= max {
		return b, false, err
	}
	limit := len(content)
	for range 16 {
		limit -= len(b) - max
		if limit < 0 {
			limit = 0
		}
		c, _ := truncateBytes(content, limit)
		if b, err = build(c); err != nil || len(b) <= max {
			return b, true, err
		}
		if limit == 0 {
			break
		}
	}
	return b, true, nil // over the limit even when empty: the platform will say so
}
