package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"
	"sync"
	"time"

	"fugong/domain"
)

// PassTokenTTL is how long the QR code of a pass holds: minutes, so that a screenshot taken
// earlier, or sent by someone else, does not pass the gate. The phone page asks for a new one
// every passRefresh while open.
const (
	PassTokenTTL = 3 * time.Minute
	passRefresh  = time.Minute
	passLeeway   = 5 * time.Second // clocks of two servers differ a little
)

// PassTokens signs and checks the tokens in the QR code of a worker's pass:
//
//	FGP1.<township>-<worker>-<expiry, Unix seconds>.<HMAC-SHA256 of "FGP1." and the middle part, 16 bytes, base32>
//
// e.g. FGP1.1-164-1796506178.K3V5… (48 characters): the IDs and the expiry in clear (nothing
// personal), signed with a key derived from the access tokens' secret, so that neither kind of
// token passes for the other.
//
// Why not a JWT, as the access tokens are: a pass JWT was about 215 characters, a dense
// version-11 QR code, and the gate page's decoder (@zxing/library) failed to find one code in
// four of them even in a still, sharp picture (measured on 120 tokens; e2e/browser_gate_test.go).
// This token is only upper-case letters, digits, '.' and '-', which a QR code holds in its
// alphanumeric mode: a version-3 code, read at a glance by a cheap phone. The MAC is the
// standard library's; a 128-bit truncation of HMAC-SHA256 is what RFC 2104 allows.
type PassTokens struct {
	Access *Tokens // its secret and clock

	once sync.Once
	key  []byte
}

const passPrefix = "FGP1."

// passMAC is the token's MAC encoding: RFC 4648 base32, upper case, no padding.
var passMAC = base32.StdEncoding.WithPadding(base32.NoPadding)

func (p *PassTokens) init() {
	p.once.Do(func() {
		mac := hmac.New(sha256.New, p.Access.Secret)
		mac.Write([]byte("fugong/pass-token/v1"))
		p.key = mac.Sum(nil)
	})
}

func (p *PassTokens) sign(body string) string {
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte(passPrefix + body))
	return passMAC.EncodeToString(mac.Sum(nil)[:16])
}

// Issue signs a pass token for a worker and says when it expires.
func (p *PassTokens) Issue(workerID, townshipID int64) (string, time.Time, error) {
	p.init()
	exp := p.Access.now().Add(PassTokenTTL).Truncate(time.Second)
	body := strconv.FormatInt(townshipID, 10) + "-" + strconv.FormatInt(workerID, 10) + "-" + strconv.FormatInt(exp.Unix(), 10)
	return passPrefix + body + "." + p.sign(body), exp, nil
}

// Verify checks a pass token and returns its worker and township. An expired one is a
// problem of the field token that says to refresh; any other failure says only that it is
// not valid. The signature is checked before anything the token says is believed.
func (p *PassTokens) Verify(token string) (workerID, townshipID int64, err error) {
	p.init()
	invalid := domain.Invalid("token", "复工码无效")
	rest, ok := strings.CutPrefix(strings.TrimSpace(token), passPrefix)
	if !ok {
		return 0, 0, invalid
	}
	body, mac, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(p.sign(body))) {
		return 0, 0, invalid
	}
	parts := strings.Split(body, "-")
	if len(parts) != 3 {
		return 0, 0, invalid
	}
	var n [3]int64
	for i, s := range parts {
		if n[i], err = strconv.ParseInt(s, 10, 64); err != nil || n[i] <= 0 {
			return 0, 0, invalid
		}
	}
	if p.Access.now().After(time.Unix(n[2], 0).Add(passLeeway)) {
		return 0, 0, domain.Invalid("token", "复工码已过期,请职工刷新后重新出示")
	}
	return n[1], n[0], nil
}
