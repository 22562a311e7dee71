package api_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"fugong/api"
	"fugong/domain"
	"fugong/internal/app"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestLogin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		wrong := map[string]string{"username": "admina", "password": "wrong-password"}

		t.Run("OK", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": " AdminA ", "password": password})
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
			for _, w := range []string{`"role":"town_admin"`, `"expires_in":900`, `"token_type":"Bearer"`, `"enterprise_id":null`} {
				if !strings.Contains(string(res.body), w) {
					t.Errorf("got %s, want %s", res.body, w)
				}
			}
		})
		t.Run("ErrMissingFields", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{})
			if got := res.errorFields(t); res.status != 422 || len(got) != 2 {
				t.Errorf("got %d %v, want 422 naming username and password", res.status, got)
			}
		})
		t.Run("ErrTooManyRequests", func(t *testing.T) {
			for i := 1; i <= 5; i++ {
				if res := f.do(http.MethodPost, "/api/v1/auth/login", "", wrong); res.status != http.StatusUnauthorized {
					t.Fatalf("failure %d: got %d, want 401", i, res.status)
				}
			}
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", wrong)
			if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
				t.Fatalf("6th failure: got %d (Retry-After %q), want 429 with Retry-After", res.status, res.header.Get("Retry-After"))
			}
			right := map[string]string{"username": "admina", "password": password}
			if res := f.do(http.MethodPost, "/api/v1/auth/login", "", right); res.status != http.StatusTooManyRequests {
				t.Errorf("right password while limited: got %d, want 429", res.status)
			}
			other := map[string]string{"username": "adminb", "password": password}
			if res := f.do(http.MethodPost, "/api/v1/auth/login", "", other); res.status != http.StatusOK {
				t.Errorf("another username from the same address: got %d, want 200", res.status)
			}
		})
	})
}

func TestRefreshAndLogout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		refresh := func(tok string) response {
			return f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok})
		}
		t.Run("Rotate", func(t *testing.T) {
			_, r1 := f.login("supa")
			res := refresh(r1)
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
			var next struct {
				AccessToken  string `json:"access_token"`
				RefreshToken string `json:"refresh_token"`
			}
			res.decode(t, &next)
			if next.RefreshToken == r1 || next.RefreshToken == "" {
				t.Fatalf("got the same refresh token back")
			}
			if res := f.do(http.MethodGet, "/api/v1/me", next.AccessToken, nil); res.status != http.StatusOK {
				t.Errorf("new access token: got %d, want 200", res.status)
			}
			t.Run("ReuseRevokesFamily", func(t *testing.T) {
				_, otherSession := f.login("supa")
				f.pastRefreshGrace() // (TestSimultaneousRefreshes)
				if res := refresh(r1); res.status != http.StatusUnauthorized {
					t.Fatalf("spent token: got %d, want 401", res.status)
				}
				if res := refresh(next.RefreshToken); res.status != http.StatusUnauthorized {
					t.Errorf("newer token of the revoked family: got %d, want 401", res.status)
				}
				if res := refresh(otherSession); res.status != http.StatusOK {
					t.Errorf("another session of the same user: got %d %s, want 200", res.status, res.body)
				}
			})
		})
		t.Run("ReuseAfterRotations", func(t *testing.T) {
			// A thief who replays the first token of a long chain ends the newest link too.
			_, r := f.login("supa")
			chain := []string{r}
			for range 3 {
				res := refresh(chain[len(chain)-1])
				if res.status != http.StatusOK {
					t.Fatalf("rotate: got %d %s", res.status, res.body)
				}
				var next struct {
					RefreshToken string `json:"refresh_token"`
				}
				res.decode(t, &next)
				chain = append(chain, next.RefreshToken)
			}
			f.pastRefreshGrace()
			if res := refresh(chain[1]); res.status != http.StatusUnauthorized || !strings.Contains(string(res.body), `"unauthenticated"`) {
				t.Fatalf("spent token: got %d %s, want 401", res.status, res.body)
			}
			if res := refresh(chain[3]); res.status != http.StatusUnauthorized {
				t.Errorf("newest token of the revoked family: got %d, want 401", res.status)
			}
		})
		t.Run("Logout", func(t *testing.T) {
			access, r := f.login("hra1")
			_, other := f.login("hra1") // a second session, on another device
			if res := f.do(http.MethodPost, "/api/v1/auth/logout", access, map[string]string{"refresh_token": r}); res.status != http.StatusNoContent {
				t.Fatalf("got %d %s, want 204", res.status, res.body)
			}
			if res := refresh(r); res.status != http.StatusUnauthorized {
				t.Errorf("refresh after logout: got %d, want 401", res.status)
			}
			if res := refresh(other); res.status != http.StatusOK {
				t.Errorf("the other session: got %d, want 200", res.status)
			}
		})
		t.Run("LogoutWithSpentToken", func(t *testing.T) {
			// Logging out with an older link of the chain ends the family: the newest link too.
			access, r1 := f.login("hra1")
			res := refresh(r1)
			var next struct {
				RefreshToken string `json:"refresh_token"`
			}
			res.decode(t, &next)
			if res := f.do(http.MethodPost, "/api/v1/auth/logout", access, map[string]string{"refresh_token": r1}); res.status != http.StatusNoContent {
				t.Fatalf("got %d %s, want 204", res.status, res.body)
			}
			if res := refresh(next.RefreshToken); res.status != http.StatusUnauthorized {
				t.Errorf("newest token after logout: got %d, want 401", res.status)
			}
		})
		t.Run("LogoutEverywhere", func(t *testing.T) {
			access, r1 := f.login("supa2")
			_, r2 := f.login("supa2")
			_, others := f.login("supa")
			if res := f.do(http.MethodPost, "/api/v1/auth/logout", access, nil); res.status != http.StatusNoContent {
				t.Fatalf("got %d %s, want 204", res.status, res.body)
			}
			for i, r := range []string{r1, r2} {
				if res := refresh(r); res.status != http.StatusUnauthorized {
					t.Errorf("session %d after logout without a token: got %d, want 401", i+1, res.status)
				}
			}
			if res := refresh(others); res.status != http.StatusOK {
				t.Errorf("another user's session: got %d, want 200", res.status)
			}
		})
		t.Run("LogoutOthersToken", func(t *testing.T) {
			// A token of someone else is ignored, so that logout cannot end another's session.
			access, _ := f.login("hra1")
			_, victim := f.login("supa")
			if res := f.do(http.MethodPost, "/api/v1/auth/logout", access, map[string]string{"refresh_token": victim}); res.status != http.StatusNoContent {
				t.Fatalf("got %d %s, want 204", res.status, res.body)
			}
			if res := refresh(victim); res.status != http.StatusOK {
				t.Errorf("the other user's session: got %d, want 200", res.status)
			}
		})
		t.Run("ErrUnknownToken", func(t *testing.T) {
			if res := refresh("not-a-token"); res.status != http.StatusUnauthorized {
				t.Errorf("got %d, want 401", res.status)
			}
		})
		t.Run("DisabledUser", func(t *testing.T) {
			access, r := f.login("supa2")
			admin := f.token("admina")
			path := "/api/v1/users/" + itoa(f.supA2.ID)
			if res := f.do(http.MethodPatch, path, admin, map[string]any{"active": false}); res.status != http.StatusOK {
				t.Fatalf("disable: got %d %s", res.status, res.body)
			}
			if res := f.do(http.MethodGet, "/api/v1/me", access, nil); res.status != http.StatusUnauthorized || !strings.Contains(string(res.body), "停用") {
				t.Errorf("access token of a disabled user: got %d %s, want 401 saying the account is disabled", res.status, res.body)
			}
			if res := refresh(r); res.status != http.StatusUnauthorized {
				t.Errorf("refresh of a disabled user: got %d, want 401", res.status)
			}
		})
	})
}

// TestForgedTokens checks that only tokens this server signed with HS256 and its key, for its
// issuer and audience, valid now, with every claim it relies on, for an account that still
// exists and may act, are accepted; everything else is a 401 in the error shape.
func TestForgedTokens(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		// like is a signer as the server's (and the fixture's), changed by edit.
		like := func(edit func(*api.Tokens)) *api.Tokens {
			tk := app.Tokens(f.tokens.Secret, time.Minute)
			edit(tk)
			return tk
		}
		secret, good := f.tokens.Secret, like(func(*api.Tokens) {})
		actor := f.adminA.Actor()
		sign := func(tk *api.Tokens, a domain.Actor) string {
			s, err := tk.Issue(a)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		// forge signs the claims of a valid token for admina, changed by edit, with any
		// method and key.
		forge := func(m jwt.SigningMethod, key any, edit func(jwt.MapClaims)) string {
			now := time.Now()
			c := jwt.MapClaims{
				"sub": itoa(actor.UserID), "role": "town_admin", "tid": actor.TownshipID, "iss": good.Issuer,
				"aud": good.Audience, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			}
			if edit != nil {
				edit(c)
			}
			s, err := jwt.NewWithClaims(m, c).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		without := func(claims ...string) func(jwt.MapClaims) {
			return func(c jwt.MapClaims) {
				for _, k := range claims {
					delete(c, k)
				}
			}
		}
		with := func(k string, v any) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c[k] = v } }
		future := time.Now().Add(10 * time.Minute).Unix() // beyond the 30 s leeway
		escalated := f.hrA1.Actor()
		escalated.Role = domain.RoleTownAdmin
		tests := map[string]string{
			"OtherKey":            sign(like(func(tk *api.Tokens) { tk.Secret = []byte("another-key-another-key-another-k") }), actor),
			"OtherIssuer":         sign(like(func(tk *api.Tokens) { tk.Issuer = "evil" }), actor),
			"OtherAudience":       sign(like(func(tk *api.Tokens) { tk.Audience = "other" }), actor),
			"Expired":             sign(like(func(tk *api.Tokens) { tk.Now = func() time.Time { return time.Now().Add(-time.Hour) } }), actor),
			"AlgNone":             forge(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil),
			"AlgHS384":            forge(jwt.SigningMethodHS384, secret, nil),
			"AlgHS512":            forge(jwt.SigningMethodHS512, secret, nil),
			"AlgRS256":            forge(jwt.SigningMethodRS256, rsaKey, nil),
			"AlgPS256":            forge(jwt.SigningMethodPS256, rsaKey, nil),
			"AlgES256":            forge(jwt.SigningMethodES256, ecKey, nil),
			"AlgEdDSA":            forge(jwt.SigningMethodEdDSA, edKey, nil),
			"NotYetValid":         forge(jwt.SigningMethodHS256, secret, with("nbf", future)),
			"IssuedLater":         forge(jwt.SigningMethodHS256, secret, with("iat", future)),
			"AudienceList":        forge(jwt.SigningMethodHS256, secret, with("aud", []string{"other", "another"})),
			"NoExpiry":            forge(jwt.SigningMethodHS256, secret, without("exp")),
			"NoIssuer":            forge(jwt.SigningMethodHS256, secret, without("iss")),
			"NoAudience":          forge(jwt.SigningMethodHS256, secret, without("aud")),
			"NoSubject":           forge(jwt.SigningMethodHS256, secret, without("sub")),
			"NoRole":              forge(jwt.SigningMethodHS256, secret, without("role")),
			"NoTownship":          forge(jwt.SigningMethodHS256, secret, without("tid")),
			"SubjectNumber":       forge(jwt.SigningMethodHS256, secret, with("sub", actor.UserID)),
			"UnknownRole":         forge(jwt.SigningMethodHS256, secret, with("role", "root")),
			"WorkerNoWID":         forge(jwt.SigningMethodHS256, secret, with("role", "worker")),
			"RoleNoLongerMatches": sign(good, escalated),
			"DeletedUser":         sign(good, domain.Actor{UserID: 999_999, Role: domain.RoleTownAdmin, TownshipID: actor.TownshipID}),
			"DeletedWorker": sign(good, domain.Actor{WorkerID: 999_999, Role: domain.RoleWorker,
				TownshipID: actor.TownshipID, EnterpriseID: f.entA1.ID}),
			"Garbage":       "abc.def.ghi",
			"AlgHS256NoSig": strings.Join(strings.Split(sign(good, actor), ".")[:2], ".") + ".",
			"SignatureSwapped": func() string { // the header and claims of one token with the signature of another
				a, b := strings.Split(sign(good, actor), "."), strings.Split(sign(good, f.adminB.Actor()), ".")
				return b[0] + "." + b[1] + "." + a[2]
			}(),
		}
		for name, tok := range tests {
			t.Run(name, func(t *testing.T) {
				path := "/api/v1/me"
				res := f.do(http.MethodGet, path, tok, nil)
				if res.status != http.StatusUnauthorized {
					t.Fatalf("got %d %s, want 401", res.status, res.body)
				}
				var body struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				res.decode(t, &body)
				if body.Error.Code != "unauthenticated" || body.Error.Message == "" {
					t.Errorf("got %s, want code unauthenticated with a message", res.body)
				}
			})
		}
		t.Run("ExpiredSaysSo", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/me", tests["Expired"], nil)
			if !strings.Contains(string(res.body), "登录已过期") {
				t.Errorf("got %s, want the message to say the sign-in expired", res.body)
			}
		})
		t.Run("DeletedWorkerChecksIn", func(t *testing.T) {
			// The check-in route leaves a worker token's standing to its own write
			// (Route.StandingInWrite); a worker who is gone must be refused there the same way.
			before := f.count("checkins")
			res := f.do(http.MethodPost, "/api/v1/checkins", tests["DeletedWorker"], map[string]any{"slot": "am", "temperature": 36.5})
			if res.status != http.StatusUnauthorized || f.count("checkins") != before {
				t.Errorf("got %d %s, want 401 and nothing written", res.status, res.body)
			}
		})
		t.Run("OK", func(t *testing.T) {
			for name, tok := range map[string]string{"Issued": sign(good, actor), "Forged": forge(jwt.SigningMethodHS256, secret, nil)} {
				if res := f.do(http.MethodGet, "/api/v1/enterprises", tok, nil); res.status != http.StatusOK {
					t.Errorf("%s: got %d %s, want 200", name, res.status, res.body)
				}
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestMeFeverThreshold: /me carries the township's fever threshold to everyone in it,
// workers and supervisors too, who may not read the township's settings; the platform
// admin, of no township, gets null. A change of the threshold shows at once.
func TestMeFeverThreshold(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, worker := f.workerToken(1)
		tokens := map[string]string{"admina": f.token("admina"), "supa": f.token("supa"), "hra1": f.token("hra1"),
			"worker": worker, "adminb": f.token("adminb"), "root": f.token("root")}
		threshold := func(t *testing.T, who string) any {
			t.Helper()
			res := f.do(http.MethodGet, "/api/v1/me", tokens[who], nil)
			if res.status != http.StatusOK {
				t.Fatalf("%s: got %d %s, want 200", who, res.status, res.body)
			}
			var me struct {
				FeverThreshold any `json:"fever_threshold"`
			}
			res.decode(t, &me)
			if !strings.Contains(string(res.body), `"fever_threshold":`) {
				t.Errorf("%s: got %s, want fever_threshold in it", who, res.body)
			}
			return me.FeverThreshold
		}
		tests := []struct {
			name, who string
			want      any
		}{
			{"TownAdmin", "admina", 37.3},
			{"Supervisor", "supa", 37.3},
			{"HR", "hra1", 37.3},
			{"Worker", "worker", 37.3},
			{"PlatformAdmin", "root", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := threshold(t, tt.who); got != tt.want {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
		t.Run("FollowsChange", func(t *testing.T) {
			res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), tokens["admina"], map[string]any{"fever_threshold": 37.5})
			if res.status != http.StatusOK {
				t.Fatalf("set the threshold: got %d %s", res.status, res.body)
			}
			for who, want := range map[string]any{"supa": 37.5, "worker": 37.5, "adminb": 37.3} {
				if got := threshold(t, who); got != want {
					t.Errorf("%s: got %v, want %v", who, got, want)
				}
			}
		})
	})
}
