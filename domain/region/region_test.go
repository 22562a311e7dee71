package region

import "testing"

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
