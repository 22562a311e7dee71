package domain

import "strings"

// CreditCode is a unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters,
// the last a check character over the first 17.
type CreditCode string

// creditAlphabet is GB 32100's character set: digits and the capitals without I, O, S, V, Z,
// each worth its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ParseCreditCode checks s and returns it normalised: spaces trimmed (including the full-width
// ones that Chinese input methods type) and letters upper-cased. The message of the error says
// what is wrong in words an HR clerk understands.
func ParseCreditCode(s string) (CreditCode, error) {
	s = strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(s, "\u3000", " ")))
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return "", Invalid("credit_code", "请填写统一社会信用代码")
	}
	chars := []rune(s)
	if len(chars) != 18 {
		return "", Invalid("credit_code", "统一社会信用代码应为 18 位")
	}
	sum := 0
	// Walk characters, not bytes: a full-width digit typed by a Chinese input method must be
	// named as itself in the message, not as the first byte of its UTF-8 encoding.
	for i, c := range chars {
		v := strings.IndexRune(creditAlphabet, c)
		if v < 0 {
			return "", Invalid("credit_code", "统一社会信用代码含有无效字符 "+string(c)+"(不使用 I、O、S、V、Z)")
		}
		if i >= 2 && i < 8 && v > 9 {
			return "", Invalid("credit_code", "统一社会信用代码第 3–8 位应为行政区划代码(数字)")
		}
		if i < 17 {
			sum += v * creditWeights[i]
		}
	}
	if want := creditAlphabet[(31-sum%31)%31]; s[17] != want {
		return "", Invalid("credit_code", "统一社会信用代码校验位不正确,请核对是否抄错")
	}
	return CreditCode(s), nil
}

// CreditCheckChar computes the check character for the first 17 characters of a code. Demo
// data and tests use it to make valid codes; it panics on characters outside the alphabet.
func CreditCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			panic("domain: credit code character outside GB 32100's alphabet")
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}
