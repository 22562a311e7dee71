package domain_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"fugong/domain"
)

// gb32100Alphabet is the character set of GB 32100-2015, written out from the standard rather
// than taken from the code under test.
const gb32100Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// withCheck completes the first 17 characters of a code with their check character.
func withCheck(first17 string) string {
	return first17 + string(domain.CreditCheckChar(first17))
}

func TestParseCreditCode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    domain.CreditCode
		wantMsg string // part of the error message, when the input is invalid
	}{
		{name: "OK", in: "91350100M000100Y43", want: "91350100M000100Y43"},
		{name: "OKSecondRealCode", in: "91110000600037341L", want: "91110000600037341L"},
		{name: "OKLowerCase", in: "91350100m000100y43", want: "91350100M000100Y43"},
		{name: "OKFullWidthSpaces", in: "\u300091110000600037341l\u3000", want: "91110000600037341L"},
		{name: "OKInnerAndOuterSpaces", in: "  9135 0100 M000 100Y 43 ", want: "91350100M000100Y43"},
		{name: "ErrInvalidEmpty", in: " \u3000 ", wantMsg: "请填写"},
		{name: "ErrInvalidTooShort", in: "91350100M000100Y4", wantMsg: "18 位"},
		{name: "ErrInvalidTooLong", in: "91350100M000100Y433", wantMsg: "18 位"},
		{name: "ErrInvalidLetterI", in: "91350100I000100Y43", wantMsg: "I"},
		{name: "ErrInvalidLetterO", in: "91350100O000100Y43", wantMsg: "O"},
		{name: "ErrInvalidLetterS", in: "91350100S000100Y43", wantMsg: "S"},
		{name: "ErrInvalidLetterV", in: "91350100V000100Y43", wantMsg: "V"},
		{name: "ErrInvalidLetterZ", in: "91350100M000100Z43", wantMsg: "Z"},
		{name: "ErrInvalidLowerForbiddenLetter", in: "91350100m000100y4o", wantMsg: "O"},
		{name: "ErrInvalidPunctuation", in: "91350100-000100Y43", wantMsg: "-"},
		// The check character is right in these, so only the region-code rule can refuse them.
		{name: "ErrInvalidLetterInPosition3", in: withCheck("91A50100M000100Y4"), wantMsg: "3–8"},
		{name: "ErrInvalidLetterInPosition8", in: withCheck("9135010BM000100Y4"), wantMsg: "3–8"},
		{name: "ErrInvalidCheckChar", in: "91350100M000100Y44", wantMsg: "校验位"},
		{name: "ErrInvalidCheckCharSecond", in: "91110000600037341K", wantMsg: "校验位"},
		{name: "ErrInvalidTranspose", in: "91350100M000010Y43", wantMsg: "校验位"},
		// Full-width characters typed by a Chinese input method: 18 characters but not ASCII.
		{name: "ErrInvalidFullWidthDigit", in: "９1350100M000100Y43", wantMsg: "９"},
		{name: "ErrInvalidChineseCharacter", in: "91350100M000100Y4三", wantMsg: "三"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParseCreditCode(tt.in)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				if got != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
				return
			}
			wantErr(t, err, domain.ErrInvalid, "credit_code")
			if got != "" {
				t.Errorf("got code %q with an error, want empty", got)
			}
			var de *domain.Error
			errors.As(err, &de)
			if msg := de.Fields[0].Message; !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("got message %q, want it to contain %q", msg, tt.wantMsg)
			}
		})
	}
}

// TestCreditCheckCharAgreesWithParse draws random valid-looking codes: the check character
// CreditCheckChar computes is the only one ParseCreditCode accepts.
func TestCreditCheckCharAgreesWithParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(2020, 2))
	for n := 0; n < 500; n++ {
		b := make([]byte, 17)
		for i := range b {
			if i >= 2 && i < 8 {
				b[i] = gb32100Alphabet[rng.IntN(10)] // region code: digits only
			} else {
				b[i] = gb32100Alphabet[rng.IntN(len(gb32100Alphabet))]
			}
		}
		first17 := string(b)
		check := domain.CreditCheckChar(first17)
		if !strings.ContainsRune(gb32100Alphabet, rune(check)) {
			t.Fatalf("CreditCheckChar(%q) = %q, want a character of the alphabet", first17, check)
		}
		accepted := 0
		for _, c := range []byte(gb32100Alphabet) {
			code := first17 + string(c)
			_, err := domain.ParseCreditCode(code)
			if err == nil {
				accepted++
			}
			if got, want := err == nil, c == check; got != want {
				t.Fatalf("ParseCreditCode(%q) accepted = %v, want %v (check char %q)", code, got, want, check)
			}
		}
		if accepted != 1 {
			t.Fatalf("%q: got %d accepted check characters, want 1", first17, accepted)
		}
	}
}

func TestCreditCheckChar(t *testing.T) {
	tests := []struct {
		name  string
		first string
		want  byte
	}{
		{name: "Fuzhou", first: "91350100M000100Y4", want: '3'},
		{name: "Beijing", first: "91110000600037341", want: 'L'},
		{name: "AllZero", first: "00000000000000000", want: '0'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.CreditCheckChar(tt.first); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("PanicsOutsideAlphabet", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatalf("got no panic, want one for a character outside the alphabet")
			}
		}()
		domain.CreditCheckChar("91350100I000100Y4")
	})
}

// gb32100Check is the check character of GB 32100 computed as the standard writes it, with
// weights 3^i mod 31, rather than by the code under test.
func gb32100Check(first17 string) byte {
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(gb32100Alphabet, first17[i]) * w
		w = w * 3 % 31
	}
	return gb32100Alphabet[(31-sum%31)%31]
}

// FuzzParseCreditCode feeds the parser anything: it never panics; a code it accepts is 18
// characters of GB 32100's alphabet with digits in positions 3–8 and the right check
// character, is what was typed less spaces and upper-cased, and parses again to itself; a
// refusal is an ErrInvalid naming credit_code with a message. The seeds run with the normal
// tests.
func FuzzParseCreditCode(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91350100m000100y43", "\u300091110000600037341l\u3000", "  9135 0100 M000 100Y 43 ",
		"", " ", "\u3000", "91350100M000100Y4", "91350100M000100Y433", "91350100I000100Y43", "91350100M000100Y44",
		"91A50100M000100Y4" + "0", "９1350100M000100Y43", "91350100M000100Y4三", "\xff\xfe\xfd", "91350100M000100Y4\x00",
		"ıııııııııııııııııı", "ſſſſſſſſſſſſſſſſſſ", "91350100M000100Y4\t3", "\u00a091350100M000100Y43", "00000000000000000" + "0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := domain.ParseCreditCode(s)
		if err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("ParseCreditCode(%q): got error %#v, want an ErrInvalid *domain.Error", s, err)
			}
			if len(de.Fields) != 1 || de.Fields[0].Field != "credit_code" || de.Fields[0].Message == "" {
				t.Fatalf("ParseCreditCode(%q): got fields %v, want one message for credit_code", s, de.Fields)
			}
			if code != "" {
				t.Fatalf("ParseCreditCode(%q): got %q with an error, want empty", s, code)
			}
			return
		}
		c := string(code)
		if len(c) != 18 || strings.Trim(c, gb32100Alphabet) != "" || strings.Trim(c[2:8], "0123456789") != "" {
			t.Fatalf("ParseCreditCode(%q): got %q, want 18 characters of GB 32100 with digits in positions 3–8", s, c)
		}
		if want := gb32100Check(c[:17]); c[17] != want {
			t.Fatalf("ParseCreditCode(%q): got %q, want check character %c", s, c, want)
		}
		typed := strings.ToUpper(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s))
		if typed != c {
			t.Fatalf("ParseCreditCode(%q): got %q, want what was typed less spaces, upper-cased: %q", s, c, typed)
		}
		if again, err := domain.ParseCreditCode(c); err != nil || again != code {
			t.Fatalf("ParseCreditCode(%q) again: got %q %v, want %q", c, again, err, c)
		}
	})
}
