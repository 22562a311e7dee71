package api

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
)

// answerMemo keeps the JSON of the dashboard's answers. The domain keeps each answer until its
// township's numbers change and hands the same one to every viewer who asks meanwhile; a wall of
// screens polling /dashboard/enterprises spent most of the route's time encoding the same 200
// rows again for each of them (BENCHMARKS.md). An answer is known by the address of its first
// element: a new computation is a new slice, so a changed answer is never served from here.
type answerMemo struct {
	mu sync.Mutex
	m  map[any][]byte
}

// maxMemo bounds what is kept: answers of the last few changes of the questions being asked.
// When full it is emptied whole, which costs one encoding per question asked again.
const maxMemo = 64

// firstOf names an answer by the address of its first element, or nil for an empty one, which
// is cheap to encode every time.
func firstOf[T any](s []T) any {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// send answers 200 with the JSON of build(), encoded once per answer src names.
func (a *answerMemo) send(c echo.Context, src any, build func() any) error {
	if src == nil {
		return c.JSON(http.StatusOK, build())
	}
	a.mu.Lock()
	body, ok := a.m[src]
	a.mu.Unlock()
	if !ok {
		b, err := json.Marshal(build())
		if err != nil {
			return err
		}
		body = append(b, '\n') // as c.JSON's encoder ends it
		a.mu.Lock()
		if a.m == nil || len(a.m) >= maxMemo {
			a.m = make(map[any][]byte, maxMemo)
		}
		a.m[src] = body
		a.mu.Unlock()
	}
	return c.JSONBlob(http.StatusOK, body)
}
