package domain

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Clean trims the spaces people paste around values, the full-width ideographic space of
// Chinese input methods included.
func Clean(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\u3000", " "))
}

var mobileRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// ParseMobile checks a mainland China mobile number: 11 digits starting 13–19. A leading +86 or
// 86 and inner spaces or dashes are accepted and removed.
func ParseMobile(s string) (string, bool) {
	s = strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+"), "86")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	return s, mobileRe.MatchString(s)
}

// checkText adds a problem unless s (already cleaned) has between min and max characters.
func checkText(p *Problems, field, label, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && min > 0:
		p.Add(field, "请填写"+label)
	case n < min:
		p.Add(field, label+"太短")
	case n > max:
		p.Add(field, label+"太长(最多 "+strconv.Itoa(max)+" 个字)")
	}
}

// checkMobile adds a problem unless s is empty (when optional) or a valid mobile number, and
// returns the normalised number.
func checkMobile(p *Problems, field, s string, optional bool) string {
	s = Clean(s)
	if s == "" {
		if !optional {
			p.Add(field, "请填写手机号")
		}
		return ""
	}
	m, ok := ParseMobile(s)
	if !ok {
		p.Add(field, "手机号应为 11 位大陆手机号码")
		return s
	}
	return m
}

// Page is a window into a list. Zero values mean the first page of the default size.
type Page struct {
	Limit  int
	Offset int
}

// MaxPageSize caps how many rows one list request returns.
const MaxPageSize = 200

// Normalize fills in the default page size and caps it.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 20
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}
