package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"fugong/domain"
)

// PassTokenTTL is how long the QR code of a pass holds: minutes, so that a screenshot taken
// earlier, or sent by someone else, does not pass the gate. The phone page asks for a new one
// every passRefresh while open.
const (
	PassTokenTTL = 3 * time.Minute
	passRefresh  = time.Minute
)

// passAudience sets a pass token apart from an access token: each parser requires its own
// audience, and they are signed with different keys, so neither passes for the other.
const passAudience = "fugong-pass"

// PassTokens signs and checks the tokens in the QR code of a worker's pass: HS256 JWTs with
// the worker's ID and township and nothing personal, signed with a key derived from the
// access tokens' secret.
type PassTokens struct {
	Access *Tokens // its secret, issuer and clock

	once   sync.Once
	key    []byte
	parser *jwt.Parser
}

type passClaims struct {
	jwt.RegisteredClaims
	TownshipID int64 `json:"tid"`
}

func (p *PassTokens) init() {
	p.once.Do(func() {
		mac := hmac.New(sha256.New, p.Access.Secret)
		mac.Write([]byte("fugong/pass-token/v1"))
		p.key = mac.Sum(nil)
		p.parser = jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(p.Access.Issuer), jwt.WithAudience(passAudience),
			jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(5*time.Second),
			jwt.WithTimeFunc(p.Access.now),
		)
	})
}

// Issue signs a pass token for a worker and says when it expires.
func (p *PassTokens) Issue(workerID, townshipID int64) (string, time.Time, error) {
	p.init()
	now := p.Access.now()
	exp := now.Add(PassTokenTTL)
	c := passClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: p.Access.Issuer, Audience: jwt.ClaimStrings{passAudience}, Subject: strconv.FormatInt(workerID, 10),
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
		},
		TownshipID: townshipID,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(p.key)
	return s, exp, err
}

// Verify checks a pass token and returns its worker and township. An expired one is a
// problem of the field token that says to refresh; any other failure says only that it is
// not valid.
func (p *PassTokens) Verify(token string) (workerID, townshipID int64, err error) {
	p.init()
	var c passClaims
	_, err = p.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return p.key, nil })
	if errors.Is(err, jwt.ErrTokenExpired) {
		return 0, 0, domain.Invalid("token", "复工码已过期,请职工刷新后重新出示")
	}
	if err != nil {
		return 0, 0, domain.Invalid("token", "复工码无效")
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 || c.TownshipID <= 0 {
		return 0, 0, domain.Invalid("token", "复工码无效")
	}
	return id, c.TownshipID, nil
}
