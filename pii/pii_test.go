package pii

import (
	"bytes"
	"strings"
	"testing"
)

func TestBox(t *testing.T) {
	b, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	const id = "371626199001011234"
	s1, s2 := b.Seal(id, "id_number"), b.Seal(id, "id_number")
	if s1 == s2 || strings.Contains(s1, id) {
		t.Errorf("got %q and %q, want two different ciphertexts without the plain value", s1, s2)
	}
	if got, err := b.Open(s1, "id_number"); err != nil || got != id {
		t.Errorf("got %q %v, want %q", got, err, id)
	}
	t.Run("ErrTampered", func(t *testing.T) {
		other, _ := New(bytes.Repeat([]byte{8}, 32))
		flipped := []byte(s1)
		flipped[len(flipped)-2] ^= 1
		for name, open := range map[string]func() (string, error){
			"OtherPurpose": func() (string, error) { return b.Open(s1, "phone") },
			"OtherKey":     func() (string, error) { return other.Open(s1, "id_number") },
			"Altered":      func() (string, error) { return b.Open(string(flipped), "id_number") },
			"Garbage":      func() (string, error) { return b.Open("!!", "id_number") },
		} {
			if got, err := open(); err != ErrTampered || got != "" {
				t.Errorf("%s: got %q %v, want ErrTampered", name, got, err)
			}
		}
	})
	t.Run("Index", func(t *testing.T) {
		other, _ := New(bytes.Repeat([]byte{8}, 32))
		i1, i2 := b.Index(id, "id_number"), b.Index(id, "id_number")
		if i1 != i2 || len(i1) != 64 || strings.Contains(i1, id) {
			t.Errorf("got %q, %q, want equal 64-hex indexes", i1, i2)
		}
		if i1 == b.Index("371626199001011242", "id_number") || i1 == other.Index(id, "id_number") || i1 == b.Index(id, "phone") {
			t.Error("the index does not depend on the value, the key and the purpose")
		}
	})
	if _, err := New([]byte("short")); err == nil {
		t.Error("got no error for a short key")
	}
}
