package domain

import (
	"strings"
	"time"
)

// WorkerPIN is the 6-digit secret a worker chose at enrolment, kept only as a bcrypt hash.
// It is what a worker signs in with: unlike the ID number, which HR and the supervisors see in
// part and the health authorities whole, no staff member can read or derive it (issue 16).
type WorkerPIN struct {
	WorkerID int64
	Hash     string
	SetAt    time.Time
}

// commonPINs are the PINs people choose most after dates and simple runs, which the rules of
// CheckPIN do not catch by themselves: keypad columns and diagonals and lucky numbers.
var commonPINs = map[string]bool{
	"147258": true, "258369": true, "369258": true, "852741": true, "741852": true, "159753": true,
	"147369": true, "789456": true, "456123": true, "123321": true, "520131": true, "521521": true,
	"131420": true, "666888": true, "888666": true, "168168": true, "518518": true, "201314": true,
}

// CheckPIN refuses a PIN that is not six digits or that is easy to guess for anyone who knows
// the worker: one digit repeated, a run up or down, a pattern of two or three repeated
// (121212, 123123), a common choice, any six digits running in the birth date (YYYYMMDD) or
// written as DDMMYY or MMDDYY, or the last six of the ID number or the phone. The problem names
// the field "pin".
func CheckPIN(pin string, w Worker) error {
	if len(pin) != 6 || strings.Trim(pin, "0123456789") != "" {
		return Invalid("pin", "PIN 应为 6 位数字")
	}
	if why := weakPIN(pin, w); why != "" {
		return Invalid("pin", "PIN 太容易被猜到("+why+"),请换一个")
	}
	return nil
}

// weakPIN says why a 6-digit PIN is easy to guess, or "" when it is not.
func weakPIN(pin string, w Worker) string {
	switch {
	case periodic(pin, 1), periodic(pin, 2), periodic(pin, 3):
		return "重复的数字"
	case strings.Contains("01234567890", pin), strings.Contains("09876543210", pin):
		return "连续的数字"
	case commonPINs[pin]:
		return "常用密码"
	}
	if len(w.IDNumber) == 18 {
		birth := string(w.IDNumber[6:14]) // YYYYMMDD
		yy, mm, dd := birth[2:4], birth[4:6], birth[6:8]
		if strings.Contains(birth, pin) || pin == dd+mm+yy || pin == mm+dd+yy {
			return "出生日期"
		}
		if pin == string(w.IDNumber[12:]) {
			return "身份证号后六位"
		}
	}
	if len(w.Phone) >= 6 && strings.HasSuffix(w.Phone, pin) {
		return "手机号后六位"
	}
	return ""
}

// periodic reports whether s repeats its first n characters throughout.
func periodic(s string, n int) bool {
	for i := n; i < len(s); i++ {
		if s[i] != s[i-n] {
			return false
		}
	}
	return true
}
