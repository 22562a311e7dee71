package domain_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/domain/region"
)

// idToday is the day the ID number tests are run "on": birth dates after it are impossible.
var idToday = domain.NewDate(2026, 2, 17)

// mod112 is the check character of GB 11643 computed the way the standard writes ISO 7064
// MOD 11-2, with weights 2^(17-i) mod 11, rather than by the code under test.
func mod112(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * ((1 << (17 - i)) % 11)
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// idNumber completes 17 digits with their check character.
func idNumber(first17 string) string { return first17 + string(mod112(first17)) }

// idEndingIn returns a valid number of region and birth (YYYYMMDD) whose check character is
// check, trying the sequence numbers in order; odd sequences are men, so male picks them.
func idEndingIn(t *testing.T, region, birth string, male bool, check byte) string {
	t.Helper()
	for seq := 0; seq < 1000; seq++ {
		if (seq%2 == 1) != male {
			continue
		}
		first := fmt.Sprintf("%s%s%03d", region, birth, seq)
		if mod112(first) == check {
			return first + string(check)
		}
	}
	t.Fatalf("no sequence of %s%s gives check character %c", region, birth, check)
	return ""
}

// wide writes the ASCII characters of s in their full-width forms, as a Chinese input method
// types them.
func wide(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r <= '~' {
			return r + 0xFEE0
		}
		return r
	}, s)
}

// fieldMessage returns the message err gives for field, failing the test unless err is an
// ErrInvalid *domain.Error naming exactly that field.
func fieldMessage(t *testing.T, err error, field string) string {
	t.Helper()
	wantErr(t, err, domain.ErrInvalid, field)
	var de *domain.Error
	errors.As(err, &de)
	return de.Fields[0].Message
}

func TestIDCheckChar(t *testing.T) {
	tests := []struct {
		name  string
		first string
		want  byte
	}{
		{name: "StandardExampleX", first: "11010519491231002", want: 'X'}, // GB 11643-1999's example
		{name: "StandardExampleDigit", first: "44052418800101001", want: '4'},
		{name: "AllZero", first: "00000000000000000", want: '1'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.IDCheckChar(tt.first); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("AgreesWithMod112", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1999, 11643))
		for n := 0; n < 2000; n++ {
			b := make([]byte, 17)
			for i := range b {
				b[i] = byte('0' + rng.IntN(10))
			}
			if got, want := domain.IDCheckChar(string(b)), mod112(string(b)); got != want {
				t.Fatalf("IDCheckChar(%s): got %q, want %q", b, got, want)
			}
		}
	})
}

func TestParseIDNumber(t *testing.T) {
	man := idEndingIn(t, "371626", "19900101", true, '5')
	withX := idEndingIn(t, "420103", "19850615", false, 'X')
	leapDay := idNumber("37162620000229123")
	today := idNumber("371626" + "20260217" + "002")
	born1900 := idNumber("11010119000101001")
	tests := []struct {
		name    string
		in      string
		want    string
		wantMsg string // part of the message, when the input is refused
	}{
		{name: "OK", in: man, want: man},
		{name: "OKStandardExample", in: "11010519491231002X", want: "11010519491231002X"},
		{name: "OKCheckX", in: withX, want: withX},
		{name: "OKLowerCaseX", in: strings.ToLower(withX), want: withX},
		{name: "OKFullWidthDigits", in: wide(man), want: man},
		{name: "OKFullWidthLowerX", in: wide(strings.ToLower(withX)), want: withX},
		{name: "OKSpaces", in: " " + man[:6] + " " + man[6:14] + " " + man[14:] + "\t", want: man},
		{name: "OKIdeographicSpaces", in: "\u3000" + man[:6] + "\u3000" + man[6:] + "\u3000", want: man},
		{name: "OKLeapDay", in: leapDay, want: leapDay},
		{name: "OKBornToday", in: today, want: today},
		{name: "OKBorn1900", in: born1900, want: born1900},
		{name: "OKUnlistedCountyOfKnownProvince", in: idNumber("37262619900101123"), want: idNumber("37262619900101123")},

		{name: "ErrEmpty", in: "", wantMsg: "请填写身份证号"},
		{name: "ErrBlank", in: " \u3000 ", wantMsg: "请填写身份证号"},
		{name: "ErrScientific", in: "3.71626198001011E+17", wantMsg: "转成了数字"},
		{name: "ErrScientificLowerE", in: "3.71626198001011e+17", wantMsg: "转成了数字"},
		{name: "ErrScientificFullWidth", in: wide("3.71626198001011E+17"), wantMsg: "转成了数字"},
		{name: "ErrScientificNoPlus", in: "3.7162619900101E17", wantMsg: "转成了数字"},
		{name: "ErrOld15Digits", in: "371626900101123", wantMsg: "15 位旧身份证号"},
		{name: "ErrTooShort", in: man[:17], wantMsg: "应为 18 位"},
		{name: "ErrTooLong", in: man + "1", wantMsg: "应为 18 位"},
		{name: "ErrLetterInside", in: man[:10] + "A" + man[11:], wantMsg: "前 17 位应为数字"},
		{name: "ErrLetterCheck", in: man[:17] + "Y", wantMsg: "前 17 位应为数字"},
		{name: "ErrXInside", in: "3716261990X101123" + "4", wantMsg: "前 17 位应为数字"},
		{name: "ErrDash", in: man[:6] + "-" + man[7:], wantMsg: "前 17 位应为数字"},
		{name: "ErrChineseLengthOfDigits", in: "371626199001011三", wantMsg: "前 17 位应为数字"},
		{name: "ErrChinese", in: "371626一九九〇0101", wantMsg: "应为 18 位"},
		{name: "ErrUnknownProvince", in: idNumber("99162619900101123"), wantMsg: "前 6 位不是有效的地区代码"},
		{name: "ErrZeroRegion", in: idNumber("00000019900101123"), wantMsg: "前 6 位不是有效的地区代码"},
		{name: "ErrFeb30", in: idNumber("37162619900230123"), wantMsg: "出生日期 19900230 无效"},
		{name: "ErrNoLeapDay", in: idNumber("37162619000229123"), wantMsg: "出生日期 19000229 无效"},
		{name: "ErrMonth13", in: idNumber("37162619901301123"), wantMsg: "出生日期 19901301 无效"},
		{name: "ErrBornTomorrow", in: idNumber("37162620260218123"), wantMsg: "出生日期 20260218 无效"},
		{name: "ErrBornNextCentury", in: idNumber("37162621000101123"), wantMsg: "出生日期 21000101 无效"},
		{name: "ErrBornBefore1900", in: idNumber("37162618991231123"), wantMsg: "出生日期 18991231 无效"},
		{name: "ErrWrongCheck", in: man[:17] + "6", wantMsg: "校验位不正确"},
		{name: "ErrWrongCheckX", in: withX[:17] + "0", wantMsg: "校验位不正确"},
		{name: "ErrCheckXWhereDigit", in: man[:17] + "X", wantMsg: "校验位不正确"},
		{name: "ErrTransposed", in: man[:12] + man[13:14] + man[12:13] + man[14:], wantMsg: "校验位不正确"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParseIDNumber(tt.in, idToday)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("ParseIDNumber(%q): got error %v, want nil", tt.in, err)
				}
				if string(got) != tt.want {
					t.Fatalf("ParseIDNumber(%q): got %q, want %q", tt.in, got, tt.want)
				}
				return
			}
			if got != "" {
				t.Errorf("ParseIDNumber(%q): got %q with an error, want empty", tt.in, got)
			}
			if msg := fieldMessage(t, err, "id_number"); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("ParseIDNumber(%q): got message %q, want it to contain %q", tt.in, msg, tt.wantMsg)
			}
		})
	}
	t.Run("ScientificSaysFormatAsText", func(t *testing.T) {
		_, err := domain.ParseIDNumber("3.71626198001011E+17", idToday)
		if msg := fieldMessage(t, err, "id_number"); !strings.Contains(msg, "文本") {
			t.Errorf("got message %q, want the advice to format the column as text", msg)
		}
	})
	t.Run("TodayBoundsBirth", func(t *testing.T) {
		in := idNumber("37162620260217001")
		_, err := domain.ParseIDNumber(in, idToday.AddDays(-1))
		fieldMessage(t, err, "id_number")
		if _, err := domain.ParseIDNumber(in, idToday); err != nil {
			t.Errorf("got error %v, want a number born today accepted", err)
		}
	})
}

func TestIDNumberParts(t *testing.T) {
	tests := []struct {
		name       string
		id         string
		wantBirth  domain.Date
		wantSex    domain.Sex
		wantRegion string
		wantMasked string
		wantLast6  string
	}{
		{
			name: "StandardExample", id: "11010519491231002X", wantBirth: domain.NewDate(1949, 12, 31),
			wantSex: domain.Female, wantRegion: "110105", wantMasked: "11***************X", wantLast6: "31002X",
		},
		{
			name: "Man", id: idNumber("37162619900101123"), wantBirth: domain.NewDate(1990, 1, 1),
			wantSex: domain.Male, wantRegion: "371626", wantLast6: "01123" + string(mod112("37162619900101123")),
			wantMasked: "37***************" + string(mod112("37162619900101123")),
		},
		{
			name: "WomanLeapDay", id: idNumber("42010320000229008"), wantBirth: domain.NewDate(2000, 2, 29),
			wantSex: domain.Female, wantRegion: "420103", wantLast6: "29008" + string(mod112("42010320000229008")),
			wantMasked: "42***************" + string(mod112("42010320000229008")),
		},
		{
			name: "SequenceNine", id: idNumber("31010419751020019"), wantBirth: domain.NewDate(1975, 10, 20),
			wantSex: domain.Male, wantRegion: "310104", wantLast6: "20019" + string(mod112("31010419751020019")),
			wantMasked: "31***************" + string(mod112("31010419751020019")),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := domain.ParseIDNumber(tt.id, idToday)
			if err != nil {
				t.Fatalf("ParseIDNumber(%q): got error %v, want nil", tt.id, err)
			}
			if got := id.BirthDate(); got != tt.wantBirth {
				t.Errorf("BirthDate: got %v, want %v", got, tt.wantBirth)
			}
			if got := id.Sex(); got != tt.wantSex {
				t.Errorf("Sex: got %v, want %v", got, tt.wantSex)
			}
			if got := id.Region(); got != tt.wantRegion {
				t.Errorf("Region: got %v, want %v", got, tt.wantRegion)
			}
			if got := id.Masked(); got != tt.wantMasked {
				t.Errorf("Masked: got %v, want %v", got, tt.wantMasked)
			}
			if got := id.Last6(); got != tt.wantLast6 {
				t.Errorf("Last6: got %v, want %v", got, tt.wantLast6)
			}
		})
	}
	t.Run("MaskedOfWrongLength", func(t *testing.T) {
		if got := domain.IDNumber("371626").Masked(); got != "" {
			t.Errorf("got %q, want empty for a value that is no ID number", got)
		}
	})
}

func TestNarrowText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "FullWidthDigits", in: "３７１６２６", want: "371626"},
		{name: "FullWidthLetters", in: "ＡＢＣｘｙｚ", want: "ABCxyz"},
		{name: "FullWidthSymbols", in: "＊（）＋－．／＠", want: "*()+-./@"},
		{name: "FullWidthTilde", in: "～！", want: "~!"},
		{name: "IdeographicSpaceInside", in: "甲\u3000班", want: "甲 班"},
		{name: "IdeographicSpacesTrimmed", in: "\u3000 ３７\u3000", want: "37"},
		{name: "ASCIIUnchanged", in: "Line 3, No.7", want: "Line 3, No.7"},
		{name: "ChinesePunctuationKept", in: "织造车间。甲、乙「丙」", want: "织造车间。甲、乙「丙」"},
		{name: "HalfWidthKatakanaKept", in: "ｱｲ", want: "ｱｲ"},
		{name: "Empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.NarrowText(tt.in); got != tt.want {
				t.Fatalf("NarrowText(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseLooseDate(t *testing.T) {
	feb17 := domain.NewDate(2026, 2, 17)
	tests := []struct {
		name     string
		in       string
		want     domain.Date
		wantOK   bool
		wantZero bool
	}{
		{name: "ISO", in: "2026-02-17", want: feb17, wantOK: true},
		{name: "Slashes", in: "2026/2/17", want: feb17, wantOK: true},
		{name: "Dots", in: "2026.2.17", want: feb17, wantOK: true},
		{name: "Chinese", in: "2026年2月17日", want: feb17, wantOK: true},
		{name: "ChineseNoDay", in: "2026年02月17", want: feb17, wantOK: true},
		{name: "ChineseSpaces", in: "2026 年 2 月 17 日", want: feb17, wantOK: true},
		{name: "Compact", in: "20260217", want: feb17, wantOK: true},
		{name: "FullWidthDigits", in: "２０２６－０２－１７", want: feb17, wantOK: true},
		{name: "FullWidthCompact", in: "２０２６０２１７", want: feb17, wantOK: true},
		{name: "SurroundingSpaces", in: "\u3000 2026-2-17 ", want: feb17, wantOK: true},
		{name: "LeapDay", in: "2024-02-29", want: domain.NewDate(2024, 2, 29), wantOK: true},
		{name: "Empty", in: "", wantOK: true, wantZero: true},
		{name: "Blank", in: "\u3000", wantOK: true, wantZero: true},
		{name: "BadFeb30", in: "2026-02-30"},
		{name: "BadCompactFeb30", in: "20260230"},
		{name: "BadNoLeapDay", in: "2026-02-29"},
		{name: "BadMonth13", in: "2026/13/1"},
		{name: "BadDay0", in: "2026-02-00"},
		{name: "Bad1899", in: "1899-12-31"},
		{name: "BadDayFirst", in: "17/02/2026"},
		{name: "BadNoDay", in: "2026-02"},
		{name: "BadTime", in: "2026-02-17 08:00"},
		{name: "BadWords", in: "春节后"},
		{name: "BadExcelSerial", in: "46070"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := domain.ParseLooseDate(tt.in)
			if ok != tt.wantOK {
				t.Fatalf("ParseLooseDate(%q): got ok %v, want %v", tt.in, ok, tt.wantOK)
			}
			if !ok || tt.wantZero {
				if !got.IsZero() {
					t.Fatalf("ParseLooseDate(%q): got %v, want the zero date", tt.in, got)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("ParseLooseDate(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseYesNo(t *testing.T) {
	tests := []struct {
		in           string
		want, wantOK bool
	}{
		{in: "是", want: true, wantOK: true},
		{in: "有", want: true, wantOK: true},
		{in: "Y", want: true, wantOK: true},
		{in: "yes", want: true, wantOK: true},
		{in: "TRUE", want: true, wantOK: true},
		{in: "1", want: true, wantOK: true},
		{in: "√", want: true, wantOK: true},
		{in: "\u3000是 ", want: true, wantOK: true},
		{in: "Ｙｅｓ", want: true, wantOK: true},
		{in: "１", want: true, wantOK: true},
		{in: "否", wantOK: true},
		{in: "无", wantOK: true},
		{in: "没有", wantOK: true},
		{in: "N", wantOK: true},
		{in: "no", wantOK: true},
		{in: "False", wantOK: true},
		{in: "0", wantOK: true},
		{in: "×", wantOK: true},
		{in: "", wantOK: true},
		{in: "\u3000", wantOK: true},
		{in: "不详"},
		{in: "是的吧"},
		{in: "2"},
		{in: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := domain.ParseYesNo(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("ParseYesNo(%q): got %v %v, want %v %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// FuzzParseIDNumber feeds the parser anything: it never panics, every number it accepts is a
// well-formed 18-character number of a known region that parses again to itself, and every
// refusal is an ErrInvalid *domain.Error naming id_number with words for HR. The seeds (and
// the corpus in testdata/fuzz) run with the normal tests.
func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", wide("11010519491231002X"),
		" 110105 19491231 002X ", "\u3000110105\u300019491231002X\u3000",
		"3.71626198001011E+17", "3.71626198001011e+17", "E", ".", "+", "E.+",
		"371626900101123", "37162619900101123", "3716261990010112345",
		"37162619900230123X", "99162619900101123X", "37162618991231123X", "37162621000101123X",
		"11010519491231002Y", "1101051949123100２X", "一九九〇", "\xff\xfe", "ſ", "",
		"371626199001011000", "371626199001011234.0", "\u00a0110105\u00a019491231002X", "110105\t19491231002X",
		"'11010519491231002X", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := domain.ParseIDNumber(s, idToday)
		if err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("ParseIDNumber(%q): got error %#v, want an ErrInvalid *domain.Error", s, err)
			}
			if len(de.Fields) != 1 || de.Fields[0].Field != "id_number" || de.Fields[0].Message == "" {
				t.Fatalf("ParseIDNumber(%q): got fields %v, want one message for id_number", s, de.Fields)
			}
			if id != "" {
				t.Fatalf("ParseIDNumber(%q): got %q with an error, want empty", s, id)
			}
			return
		}
		n := string(id)
		if len(n) != 18 || strings.Trim(n[:17], "0123456789") != "" {
			t.Fatalf("ParseIDNumber(%q): got %q, want 17 digits and a check character", s, n)
		}
		if n[17] != mod112(n[:17]) {
			t.Fatalf("ParseIDNumber(%q): got %q, want check character %c", s, n, mod112(n[:17]))
		}
		if m := id.Masked(); len(m) != 18 || m[:2] != n[:2] || m[17:] != n[17:] || m[2:17] != strings.Repeat("*", 15) {
			t.Fatalf("Masked of %q: got %q, want 2 characters, 15 stars and the last", n, m)
		}
		birth := id.BirthDate()
		if birth.IsZero() || birth.After(idToday) || birth.Before(domain.NewDate(1900, 1, 1)) {
			t.Fatalf("BirthDate of %q: got %v, want a day from 1900 to %v", n, birth, idToday)
		}
		if got := birth.Time().Format("20060102"); got != n[6:14] {
			t.Fatalf("BirthDate of %q: got %v, want the digits %s", n, got, n[6:14])
		}
		wantSex := domain.Female
		if (n[16]-'0')%2 == 1 {
			wantSex = domain.Male
		}
		if sex := id.Sex(); sex != wantSex {
			t.Fatalf("Sex of %q: got %v, want %v", n, sex, wantSex)
		}
		if _, ok := region.Name(n[:6]); !ok {
			t.Fatalf("ParseIDNumber(%q): got %q, whose region %s is not even a known province", s, n, n[:6])
		}
		if id.Region() != n[:6] || id.Last6() != n[12:] {
			t.Fatalf("got region %q and last six %q of %q", id.Region(), id.Last6(), n)
		}
		again, err := domain.ParseIDNumber(n, idToday)
		if err != nil || again != id {
			t.Fatalf("ParseIDNumber(%q) again: got %q %v, want %q", n, again, err, n)
		}
		if _, err := time.Parse("20060102", n[6:14]); err != nil {
			t.Fatalf("got birth digits %s that are no date: %v", n[6:14], err)
		}
	})
}
