package domain_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fugong/domain"
)

func TestPasswordHasher(t *testing.T) {
	h := domain.PasswordHasher{Cost: bcrypt.MinCost}
	hash, err := h.Hash("correct horse")
	if err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	if hash == "correct horse" || !strings.HasPrefix(hash, "$2a$04$") {
		t.Fatalf("got hash %q, want a cost-4 bcrypt hash", hash)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{name: "Right", pw: "correct horse", want: true},
		{name: "Wrong", pw: "correct horse!", want: false},
		{name: "Empty", pw: "", want: false},
		{name: "Case", pw: "Correct horse", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.Matches(hash, tt.pw); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("GarbageHash", func(t *testing.T) {
		if h.Matches("not-a-hash", "correct horse") {
			t.Fatal("got true for a garbage hash, want false")
		}
	})
	t.Run("Salted", func(t *testing.T) {
		again, err := h.Hash("correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if again == hash {
			t.Fatalf("got the same hash twice, want a fresh salt each time")
		}
	})
}

func TestHashToken(t *testing.T) {
	a, b := domain.HashToken("token-a"), domain.HashToken("token-b")
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("got %q, want 64 lower-case hex digits", a)
	}
	if got := domain.HashToken("token-a"); got != a {
		t.Fatalf("got %q, want the same hash %q for the same token", got, a)
	}
	if a == b {
		t.Fatalf("got equal hashes for different tokens")
	}
	// SHA-256 of "abc", from FIPS 180-2.
	if got, want := domain.HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestClockNow(t *testing.T) {
	t.Run("Fixed", func(t *testing.T) {
		shanghai := time.FixedZone("CST", 8*3600)
		at := time.Date(2020, 2, 10, 9, 30, 0, 0, shanghai)
		c := domain.Clock(func() time.Time { return at })
		got := c.Now()
		if !got.Equal(at) || got.Location() != time.UTC {
			t.Fatalf("got %v, want %v in UTC", got, at.UTC())
		}
	})
	t.Run("Nil", func(t *testing.T) {
		var c domain.Clock
		before := time.Now()
		got := c.Now()
		if got.Before(before.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) || got.Location() != time.UTC {
			t.Fatalf("got %v, want about now in UTC", got)
		}
	})
}
