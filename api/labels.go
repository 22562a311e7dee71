package api

import (
	"reflect"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Text the server writes into an answer (an alert type's label, a pass colour, an alert's
// detail, a discrepancy, an audit detail) follows Accept-Language the way error messages do:
// the DTO field that carries it is tagged `text:"server"`, and the JSON serializer gives the
// answer with each such field in English when the request prefers English. The field's code
// (type, color, condition) stays beside it, so a client may key its own text on that instead.
//
// Why at serialization and not in the domain: the domain keeps writing Chinese, which is what
// the stores hold (alert and audit details are kept as written, so that a record reads the
// same in the town's sheets and years later) and what the town's Excel sheets show. English
// is rendered at read time from labels_en.go's catalog, whose patterns take the values out of
// a text (a temperature, a place) and put them into the English. A text the catalog does not
// know (one a person typed into such a field, or an old detail of a shape since changed)
// stays as it was written. One tag on the field is the whole change a handler needs, and the
// walk copies what it changes, so no DTO a handler keeps (a cache) is altered.

// textTag is the struct tag that marks a field holding the server's own words.
const textTag = "text"

// jsonSerializer is Echo's JSON encoding, with the server's texts in the request's language.
type jsonSerializer struct{ echo.DefaultJSONSerializer }

// Serialize writes i as JSON; when i carries server text it varies by Accept-Language.
func (s jsonSerializer) Serialize(c echo.Context, i any, indent string) error {
	if i != nil && carriesText(reflect.TypeOf(i)) {
		c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
		if prefersEnglish(c.Request()) {
			i = inEnglish(i)
		}
	}
	return s.DefaultJSONSerializer.Serialize(c, i, indent)
}

// inEnglish returns a copy of v with every tagged text in English; v itself is left alone.
func inEnglish(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || !carriesText(rv.Type()) {
		return v
	}
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	englishIn(cp)
	return cp.Interface()
}

// englishIn translates the tagged texts under v, which is settable, replacing every slice, map
// and pointer on the way by a copy, so that what v shared with the caller stays untouched.
func englishIn(v reflect.Value) {
	if !carriesText(v.Type()) || (v.Kind() != reflect.Struct && !v.CanSet()) {
		return // a struct embedded unexported is not settable, but its exported fields are
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).Tag.Get(textTag) == "server" {
				englishField(v.Field(i))
				continue
			}
			englishIn(v.Field(i))
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		inner := reflect.New(v.Elem().Type()).Elem()
		inner.Set(v.Elem())
		englishIn(inner)
		if v.Kind() == reflect.Pointer {
			p := reflect.New(inner.Type())
			p.Elem().Set(inner)
			v.Set(p)
			return
		}
		v.Set(inner)
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(n, v)
		for i := range n.Len() {
			englishIn(n.Index(i))
		}
		v.Set(n)
	case reflect.Array:
		for i := range v.Len() {
			englishIn(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			englishIn(e)
			n.SetMapIndex(it.Key(), e)
		}
		v.Set(n)
	}
}

// englishField translates a tagged field: a string, a *string or a []string.
func englishField(f reflect.Value) {
	if !f.CanSet() {
		return
	}
	switch {
	case f.Kind() == reflect.String:
		f.SetString(englishText(f.String()))
	case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String && !f.IsNil():
		s := englishText(f.Elem().String())
		p := reflect.New(f.Type().Elem())
		p.Elem().SetString(s)
		f.Set(p)
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String && !f.IsNil():
		n := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
		for i := range f.Len() {
			n.Index(i).SetString(englishText(f.Index(i).String()))
		}
		f.Set(n)
	}
}

// englishText is a server text in English: by labels_en.go's catalog (or a message's, or a
// list of them), or as written when the catalog does not know it.
func englishText(zh string) string {
	for _, r := range zh {
		if unicode.Is(unicode.Han, r) {
			en := translate(zh)
			if en == zh {
				return zh
			}
			r, n := utf8.DecodeRuneInString(en)
			return string(unicode.ToUpper(r)) + en[n:] // a list starts in lower case
		}
	}
	return zh // nothing to translate: an empty detail, a URL's host
}

// carrying caches, per type, whether any tagged field is reachable from it, so that the
// answers without server text (most) cost one map read.
var carrying sync.Map // reflect.Type → bool

// carriesText reports whether a value of type t can hold a tagged field.
func carriesText(t reflect.Type) bool {
	if b, ok := carrying.Load(t); ok {
		return b.(bool)
	}
	b := reaches(t, map[reflect.Type]bool{})
	carrying.Store(t, b)
	return b
}

func reaches(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // a type that holds itself: its tagged fields are found on the first visit
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue // encoding/json writes no unexported field
			}
			if f.Tag.Get(textTag) == "server" || reaches(f.Type, seen) {
				return true
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return reaches(t.Elem(), seen)
	case reflect.Interface:
		return true // known only at run time: englishIn looks at the value
	}
	return false
}
