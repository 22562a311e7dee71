package region

import (
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	tests := []struct {
		code, want string
		ok         bool
	}{
		{"370000", "山东省", true},
		{"371600", "山东省滨州市", true},
		{"371681", "山东省滨州市邹平市", true},
		{"371626", "山东省滨州市", true}, // 邹平县 until 2018: named by its city
		{"420100", "湖北省武汉市", true},
		{"110101", "北京市东城区", true}, // a municipality has no city level
		{"990000", "", false},
		{"37", "", false},
	}
	for _, tt := range tests {
		got, ok := Name(tt.code)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Name(%s): got %q %v, want %q %v", tt.code, got, ok, tt.want, tt.ok)
		}
	}
	if n := len(names); n < 3000 {
		t.Errorf("got %d divisions, want the whole table", n)
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		outer, code string
		want        bool
	}{
		{"420000", "420102", true}, {"420100", "420102", true}, {"420100", "421002", false},
		{"420102", "420102", true}, {"420102", "420103", false}, {"420000", "370000", false},
	}
	for _, tt := range tests {
		if got := Contains(tt.outer, tt.code); got != tt.want {
			t.Errorf("Contains(%s, %s): got %v, want %v", tt.outer, tt.code, got, tt.want)
		}
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"420100", "420100", true}, {"湖北省武汉市", "420100", true}, {"武汉市", "420100", true},
		{"湖北省", "420000", true}, {"山东省滨州市邹平市", "371681", true}, {" 邹平市 ", "371681", true},
		{"朝阳区", "", false}, {"火星", "", false}, {"999999", "", false},
	}
	for _, tt := range tests {
		got, ok := Find(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Find(%q): got %q %v, want %q %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSearch(t *testing.T) {
	got := Search("武汉", 3)
	if len(got) != 3 || got[0] != (Division{"420100", "湖北省武汉市"}) || got[1].Code[:4] != "4201" {
		t.Errorf("got %v, want 湖北省武汉市 first, then its districts", got)
	}
	if got := Search("", 5); got != nil {
		t.Errorf("got %v for an empty query, want nothing", got)
	}
	if got := Search("3716", 50); len(got) == 0 || got[0].Code != "371600" {
		t.Errorf("got %v, want 滨州市 first for a code prefix", got)
	}
}

// FuzzFind feeds the region lookup anything people might type in an origin field: it never
// panics; what it finds is a division in the table, named, found again by its code and by its
// full name; what it does not find gives no code. Search on the same text gives at most the
// divisions asked for, each in the table and matching the text, provinces before cities before
// counties. The seeds run with the normal tests.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"420100", "湖北省武汉市", "武汉市", "湖北省", "山东省滨州市邹平市", " 邹平市 ", "朝阳区", "火星", "999999",
		"371626", "110101", "北京市东城区", "北京市", "4201", "42010", "4201000", "", " ", "\x00武汉市", "\x00",
		"湖北 省 武汉 市", "４２０１００", "\xff\xfe", "市", "省", "区", "000000", "-420100",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := Find(s)
		if !ok {
			if code != "" {
				t.Fatalf("Find(%q): got %q and not found, want no code", s, code)
			}
		} else {
			if len(code) != 6 || strings.Trim(code, "0123456789") != "" || !Known(code) {
				t.Fatalf("Find(%q): got %q, want a six-digit code in the table", s, code)
			}
			full, named := Name(code)
			if !named || full == "" {
				t.Fatalf("Find(%q): got %q, which has no name", s, code)
			}
			if !Contains(ProvinceOf(code), code) {
				t.Fatalf("Find(%q): got %q, not in its own province %s", s, code, ProvinceOf(code))
			}
			if again, ok := Find(code); !ok || again != code {
				t.Fatalf("Find(%q): got %q %v, want the code to find itself", code, again, ok)
			}
			if byFull, ok := Find(full); !ok || byFull != code {
				t.Fatalf("Find(%q) found %s; Find of its full name %q: got %q %v, want %s", s, code, full, byFull, ok, code)
			}
		}
		const limit = 5
		found := Search(s, limit)
		q := strings.TrimSpace(s)
		if len(found) > limit {
			t.Fatalf("Search(%q, %d): got %d divisions", s, limit, len(found))
		}
		for i, d := range found {
			if !Known(d.Code) || (!strings.Contains(d.Name, q) && !strings.HasPrefix(d.Code, q)) {
				t.Fatalf("Search(%q): got %v, want divisions in the table whose name contains or code starts with it", s, d)
			}
			if name, _ := Name(d.Code); name != d.Name {
				t.Fatalf("Search(%q): got %v, want the name %q", s, d, name)
			}
			if i > 0 && LevelOf(d.Code) < LevelOf(found[i-1].Code) {
				t.Fatalf("Search(%q): got %v, want provinces, then cities, then counties", s, found)
			}
		}
	})
}
