package domain_test

import (
	"testing"

	"fugong/domain"
)

func TestParseMobile(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		wantOK bool
	}{
		{name: "OK", in: "13812345678", want: "13812345678", wantOK: true},
		{name: "OKPlus86", in: "+8613812345678", want: "13812345678", wantOK: true},
		{name: "OK86", in: "8619912345678", want: "19912345678", wantOK: true},
		{name: "OKPlus86Spaces", in: "+86 138 1234 5678", want: "13812345678", wantOK: true},
		{name: "OKDashes", in: "138-1234-5678", want: "13812345678", wantOK: true},
		{name: "OKPlus86Dash", in: "+86-150-0000-1111", want: "15000001111", wantOK: true},
		{name: "OKFullWidthSpaces", in: "\u3000138\u30001234\u30005678\u3000", want: "13812345678", wantOK: true},
		{name: "OK199", in: "19912345678", want: "19912345678", wantOK: true},
		{name: "OK86Inside", in: "13886123456", want: "13886123456", wantOK: true},
		{name: "BadSecondDigit", in: "12812345678", want: "12812345678"},
		{name: "BadSecondDigitTwo", in: "12012345678", want: "12012345678"},
		{name: "BadTooShort", in: "1381234567", want: "1381234567"},
		{name: "BadTooLong", in: "138123456789", want: "138123456789"},
		{name: "BadLandline", in: "0543-4321234", want: "05434321234"},
		{name: "BadLandlineBeijing", in: "010-12345678", want: "01012345678"},
		{name: "BadLetters", in: "1381234567a", want: "1381234567a"},
		{name: "BadEmpty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := domain.ParseMobile(tt.in)
			if ok != tt.wantOK {
				t.Fatalf("ParseMobile(%q) ok = %v, want %v", tt.in, ok, tt.wantOK)
			}
			if got != tt.want {
				t.Fatalf("ParseMobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "ASCIISpaces", in: "  长山镇 \t\n", want: "长山镇"},
		{name: "FullWidthSpaces", in: "\u3000长山镇\u3000", want: "长山镇"},
		{name: "InnerSpaceKept", in: "\u3000一区 东\u3000", want: "一区 东"},
		{name: "Empty", in: "\u3000", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.Clean(tt.in); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPageNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   domain.Page
		want domain.Page
	}{
		{name: "Zero", in: domain.Page{}, want: domain.Page{Limit: 20}},
		{name: "Kept", in: domain.Page{Limit: 50, Offset: 100}, want: domain.Page{Limit: 50, Offset: 100}},
		{name: "Capped", in: domain.Page{Limit: 10_000}, want: domain.Page{Limit: domain.MaxPageSize}},
		{name: "Negative", in: domain.Page{Limit: -5, Offset: -1}, want: domain.Page{Limit: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Normalize(); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
