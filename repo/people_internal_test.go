package repo

import "testing"

// TestKeptPeople fills keptPeople past several blocks, dropping every third person read: the
// kept are where they were read into, in order, and a dropped one's place is reused, empty.
func TestKeptPeople(t *testing.T) {
	var k keptPeople
	const read = 3*rowBlock + 7
	var want []int64
	for i := range int64(read) {
		p := k.next()
		if p.Worker.ID != 0 {
			t.Fatalf("person %d: got a place holding worker %d, want an empty one", i, p.Worker.ID)
		}
		p.Worker.ID = i + 1
		if i%3 != 0 {
			k.sealed = append(k.sealed, "seal")
			want = append(want, i+1)
		} else {
			k.drop()
		}
	}
	if k.n != len(want) || len(k.sealed) != len(want) {
		t.Fatalf("got %d kept and %d seals, want %d", k.n, len(k.sealed), len(want))
	}
	for i, id := range want {
		if got := k.at(i).Worker.ID; got != id {
			t.Fatalf("kept %d: got worker %d, want %d", i, got, id)
		}
	}
}
