package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"fugong/api"
	"fugong/domain"
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
				if res := refresh(r1); res.status != http.StatusUnauthorized {
					t.Fatalf("spent token: got %d, want 401", res.status)
				}
				if res := refresh(next.RefreshToken); res.status != http.StatusUnauthorized {
					t.Errorf("newer token of the revoked family: got %d, want 401", res.status)
				}
			})
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
			if res := f.do(http.MethodGet, "/api/v1/me", access, nil); res.status != http.StatusUnauthorized {
				t.Errorf("access token of a disabled user: got %d, want 401", res.status)
			}
			if res := refresh(r); res.status != http.StatusUnauthorized {
				t.Errorf("refresh of a disabled user: got %d, want 401", res.status)
			}
		})
	})
}

// TestForgedTokens checks that only tokens this server signed with HS256, for its issuer and
// audience, unexpired, are accepted.
func TestForgedTokens(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		secret := []byte("0123456789abcdef0123456789abcdef")
		good := &api.Tokens{Secret: secret, Issuer: "fugong", Audience: "fugong-api", TTL: time.Minute}
		actor := f.adminA.Actor()
		sign := func(tk *api.Tokens) string {
			s, err := tk.Issue(actor)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
			"sub": itoa(actor.UserID), "role": "town_admin", "tid": actor.TownshipID, "iss": "fugong",
			"aud": "fugong-api", "exp": time.Now().Add(time.Hour).Unix(),
		}).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{
			"sub": itoa(actor.UserID), "role": "town_admin", "tid": actor.TownshipID, "iss": "fugong",
			"aud": "fugong-api", "exp": time.Now().Add(time.Hour).Unix(),
		}).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		escalated := f.hrA1.Actor()
		escalated.Role = domain.RoleTownAdmin
		tests := map[string]string{
			"OtherKey":      sign(&api.Tokens{Secret: []byte("another-key-another-key-another-k"), Issuer: "fugong", Audience: "fugong-api", TTL: time.Minute}),
			"OtherIssuer":   sign(&api.Tokens{Secret: secret, Issuer: "evil", Audience: "fugong-api", TTL: time.Minute}),
			"OtherAudience": sign(&api.Tokens{Secret: secret, Issuer: "fugong", Audience: "other", TTL: time.Minute}),
			"Expired":       sign(&api.Tokens{Secret: secret, Issuer: "fugong", Audience: "fugong-api", TTL: time.Minute, Now: func() time.Time { return time.Now().Add(-time.Hour) }}),
			"AlgNone":       none,
			"AlgHS512":      hs512,
			"Garbage":       "abc.def.ghi",
		}
		for name, tok := range tests {
			t.Run(name, func(t *testing.T) {
				if res := f.do(http.MethodGet, "/api/v1/enterprises", tok, nil); res.status != http.StatusUnauthorized {
					t.Errorf("got %d %s, want 401", res.status, res.body)
				}
			})
		}
		t.Run("RoleNoLongerMatches", func(t *testing.T) {
			tok, err := good.Issue(escalated)
			if err != nil {
				t.Fatal(err)
			}
			if res := f.do(http.MethodGet, "/api/v1/enterprises", tok, nil); res.status != http.StatusUnauthorized {
				t.Errorf("got %d, want 401", res.status)
			}
		})
		t.Run("OK", func(t *testing.T) {
			if res := f.do(http.MethodGet, "/api/v1/enterprises", sign(good), nil); res.status != http.StatusOK {
				t.Errorf("got %d %s, want 200", res.status, res.body)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
