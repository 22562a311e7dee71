package domain

import (
	"strings"
	"time"

	"fugong/domain/region"
)

// IDNumber is a resident identity card number (GB 11643-1999): six digits of the region where
// it was issued, eight of the birth date, three of sequence (odd for men, even for women) and a
// check character, 0-9 or X.
type IDNumber string

// Sex is derived from an ID number.
type Sex string

// The sexes an ID number encodes.
const (
	Male   Sex = "male"
	Female Sex = "female"
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckChar computes the check character of the first 17 digits of an ID number. Demo data
// and tests use it to make valid numbers.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// NarrowText turns the full-width forms of ASCII characters that Chinese input methods type
// (digits, letters, ＊, （）) into ASCII and the ideographic space into a space, and trims spaces:
// "３７１６　" becomes "3716". Chinese punctuation such as 。 and 、 is left alone (a general
// width folding would turn it into half-width katakana forms).
func NarrowText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // FULLWIDTH EXCLAMATION MARK … FULLWIDTH TILDE
			return r - 0xFEE0
		case r == '\u3000':
			return ' '
		}
		return r
	}, s))
}

// ParseIDNumber checks an ID number as HR types or pastes it: spaces and full-width digits are
// tolerated, a lower-case x is upper-cased. The error names the field id_number and says in
// words what is wrong; a number that a spreadsheet turned into 3.71626198001011E+17 is refused
// with the advice to format the column as text, since its last digits are gone.
// today bounds the birth date.
func ParseIDNumber(s string, today Date) (IDNumber, error) {
	s = strings.ToUpper(strings.ReplaceAll(NarrowText(s), " ", ""))
	bad := func(msg string) (IDNumber, error) { return "", Invalid("id_number", msg) }
	switch {
	case s == "":
		return bad("请填写身份证号")
	case strings.ContainsAny(s, "E.") && strings.Trim(s, "0123456789.E+") == "":
		return bad("身份证号被表格软件转成了数字,末几位已丢失;请把该列设为“文本”格式后重新填写")
	case len(s) == 15 && strings.Trim(s, "0123456789") == "":
		return bad("这是 15 位旧身份证号,请填写 18 位身份证号")
	case len(s) != 18:
		return bad("身份证号应为 18 位")
	case strings.Trim(s[:17], "0123456789") != "" || strings.Trim(s[17:], "0123456789X") != "":
		return bad("身份证号前 17 位应为数字,最后一位为数字或 X")
	}
	if _, ok := region.Name(s[:6]); !ok {
		return bad("身份证号前 6 位不是有效的地区代码")
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || DateFromTime(birth).After(today) {
		return bad("身份证号中的出生日期 " + s[6:14] + " 无效")
	}
	if s[17] != IDCheckChar(s) {
		return bad("身份证号校验位不正确,请核对是否抄错")
	}
	return IDNumber(s), nil
}

// BirthDate is the date of birth the number encodes.
func (n IDNumber) BirthDate() Date {
	t, _ := time.Parse("20060102", string(n[6:14]))
	return DateFromTime(t)
}

// Sex is the sex the number encodes: odd sequence digits are men.
func (n IDNumber) Sex() Sex {
	if (n[16]-'0')%2 == 1 {
		return Male
	}
	return Female
}

// Region is the code of the division where the number was issued: the household region.
func (n IDNumber) Region() string { return string(n[:6]) }

// Masked shows the first two characters (the province) and the last (the check character):
// 37***************X. It is how an ID number appears everywhere but to the roles that need it
// whole. The birth date (characters 7–14) and the sequence number (15–17) never show: with the
// household region, they are what rebuilds the number, and a masked roster once showed the last
// four beside the birth date and region (issue 16). See IDView for what goes with it.
func (n IDNumber) Masked() string {
	if len(n) != 18 {
		return ""
	}
	return string(n[:2]) + strings.Repeat("*", 15) + string(n[17:])
}

// IDView is what an answer, a sheet or a page shows of a person's ID number: the one masking
// rule. Whole to the roles that need the number (CanReveal, audited), with the birth date and
// the household region it encodes. Masked to everyone else, with only what cannot rebuild it:
// the age in whole years, the sex, and the household province (which the masked number shows
// anyway) — never the birth date or the county.
type IDView struct {
	Number          string // whole or Masked
	BirthDate       Date   // zero when masked
	Age             int    // whole years on the day of the view
	Sex             Sex
	HouseholdRegion string // GB/T 2260 code: the county when whole, the province (370000) when masked
}

// View is the number as shown on today, whole when reveal.
func (n IDNumber) View(today Date, reveal bool) IDView {
	if len(n) != 18 {
		return IDView{}
	}
	birth := n.BirthDate()
	v := IDView{Number: n.Masked(), Age: birth.YearsTo(today), Sex: n.Sex(), HouseholdRegion: string(n[:2]) + "0000"}
	if reveal {
		v.Number, v.BirthDate, v.HouseholdRegion = string(n), birth, n.Region()
	}
	return v
}

// Last6 is the last six characters, which a weak PIN may repeat (CheckPIN).
func (n IDNumber) Last6() string { return string(n[12:]) }
