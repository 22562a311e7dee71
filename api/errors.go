package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

// errorBody is the one error shape of DESIGN.md.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail carries, besides the message, its stable message_code and the values put into
// it (params), so that a client may write the message in its own words; message is in English
// when the request's Accept-Language prefers it (see messages_en.go).
type errorDetail struct {
	Code        string            `json:"code"`
	Message     string            `json:"message" jsonschema_description:"for users: in English when Accept-Language prefers it, else in Chinese"`
	MessageCode string            `json:"message_code" jsonschema_description:"the message's stable code; empty for a message with none"`
	Params      map[string]string `json:"params" jsonschema_description:"the values put into the message, by name"`
	Fields      []fieldError      `json:"fields,omitempty"`
}

type fieldError struct {
	Field       string            `json:"field"`
	Message     string            `json:"message"`
	MessageCode string            `json:"message_code" jsonschema_description:"the message's stable code; empty for a value (a conflict's current status) or a message with none"`
	Params      map[string]string `json:"params" jsonschema_description:"the values put into the message, by name"`
}

// kinds maps domain error kinds to status codes and codes, in one table.
var kinds = []struct {
	kind   error
	status int
	code   string
}{
	{domain.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
	{domain.ErrNotFound, http.StatusNotFound, "not_found"},
	{domain.ErrConflict, http.StatusConflict, "conflict"},
	{domain.ErrForbidden, http.StatusForbidden, "forbidden"},
	{domain.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{domain.ErrTooManyRequests, http.StatusTooManyRequests, "too_many_requests"},
	{domain.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
}

// statusCodes names the codes of echo's own errors (bad routes, body limit, bad bodies).
var statusCodes = map[int]struct{ code, message string }{
	http.StatusBadRequest:            {"bad_request", "请求格式错误"},
	http.StatusUnauthorized:          {"unauthenticated", "请先登录"},
	http.StatusForbidden:             {"forbidden", "无权访问"},
	http.StatusNotFound:              {"not_found", "接口不存在"},
	http.StatusMethodNotAllowed:      {"method_not_allowed", "不支持的请求方法"},
	http.StatusRequestEntityTooLarge: {"too_large", "请求内容过大"},
	http.StatusUnsupportedMediaType:  {"unsupported_media_type", "请以 JSON 格式提交"},
	http.StatusTooManyRequests:       {"too_many_requests", "请求过于频繁,请稍后再试"},
	http.StatusServiceUnavailable:    {"unavailable", "服务暂不可用,请稍后再试"},
}

// badRequest is a malformed request: a body that is not JSON, a query parameter the route does
// not know (named in fields).
type badRequest struct {
	msg    string
	fields []fieldError
}

func (b *badRequest) Error() string { return b.msg }

// errorHandler turns every error a handler returns into the error shape. 5xx are logged once,
// here, with the request ID; users get only the safe message. A 403 of a signed-in actor is
// recorded in the audit log (audit nil records none).
func errorHandler(log *slog.Logger, audit *domain.AuditService) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := describe(err)
		id, _ := c.Get(requestIDKey).(string)
		if status >= 500 {
			log.ErrorContext(c.Request().Context(), "request failed",
				slog.String("request_id", id), slog.String("route", c.Path()), slog.String("error", err.Error()))
		}
		if status == http.StatusForbidden && audit != nil && actorOf(c).Role != "" {
			if err := denied(audit, c, body.Error.Message); err != nil { // the log keeps the Chinese
				log.ErrorContext(c.Request().Context(), "audit a refused request",
					slog.String("request_id", id), slog.String("route", c.Path()), slog.String("error", err.Error()))
			}
		}
		body = localize(c.Request(), body)
		c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
		switch status {
		case http.StatusTooManyRequests:
			c.Response().Header().Set("Retry-After", "60")
		case http.StatusServiceUnavailable: // busy (domain.PasswordGate) or the database away: soon
			c.Response().Header().Set("Retry-After", "2")
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

func describe(err error) (int, errorBody) {
	var de *domain.Error
	var he *echo.HTTPError
	var br *badRequest
	switch {
	case errors.As(err, &de):
		for _, k := range kinds {
			if errors.Is(de.Kind, k.kind) {
				b := errorBody{Error: errorDetail{Code: k.code, Message: de.Message}}
				for _, f := range de.Fields {
					b.Error.Fields = append(b.Error.Fields, fieldError{Field: f.Field, Message: f.Message})
				}
				return k.status, b
			}
		}
	case errors.As(err, &br):
		return http.StatusBadRequest, errorBody{Error: errorDetail{Code: "bad_request", Message: br.msg, Fields: br.fields}}
	case errors.As(err, &he):
		if s, ok := statusCodes[he.Code]; ok {
			return he.Code, errorBody{Error: errorDetail{Code: s.code, Message: s.message}}
		}
		if he.Code < 500 {
			return he.Code, errorBody{Error: errorDetail{Code: "error", Message: http.StatusText(he.Code)}}
		}
	default:
		// A bare kind (the repo's database-unavailable error, say) has no message for users.
		for _, k := range kinds {
			if errors.Is(err, k.kind) {
				msg := http.StatusText(k.status)
				if k.kind == domain.ErrUnavailable {
					msg = statusCodes[http.StatusServiceUnavailable].message
				}
				return k.status, errorBody{Error: errorDetail{Code: k.code, Message: msg}}
			}
		}
	}
	return http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal", Message: "服务器内部错误,请稍后再试"}}
}

// bindJSON decodes the request body into v. A body that is not JSON is a 400; a value of the
// wrong type, or text with a control character, is a 422 naming its field, since the request
// was well-formed. So is a field v does not have (a misspelt key was ignored, and a PUT of
// supervisors with "user_id" cleared them all), and a list v requires that is missing (see
// requireLists). The body must be sent as application/json, optionally with charset=utf-8:
// anything else is a 415.
func bindJSON(c echo.Context, v any) error {
	req := c.Request()
	if !isJSON(req.Header.Get(echo.HeaderContentType)) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType)
	}
	raw, err := io.ReadAll(req.Body)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err = dec.Decode(v); err == nil {
			if dec.More() {
				return &badRequest{msg: "请求体只能包含一个 JSON 对象"}
			}
			if err := refuseControls(raw); err != nil {
				return err
			}
			return requireLists(v)
		}
	}
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &mbe):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	case errors.As(err, &he): // echo's body limit on a chunked body
		return he
	case errors.As(err, &te) && te.Field != "":
		return domain.Invalid(te.Field, fmt.Sprintf("类型错误:应为%s", jsonType(te.Type.Kind().String())))
	case errors.Is(err, io.EOF):
		return &badRequest{msg: "请求体为空,应为 JSON 对象"}
	}
	// The decoder names only the first unknown field, in an error of no type of its own:
	// the document is walked for all of them instead.
	if unknown := unknownFields(raw, reflect.TypeOf(v)); len(unknown) > 0 {
		var p domain.Problems
		for _, f := range unknown {
			p.Add(bodyField(f), "此接口不接受该字段")
		}
		return &domain.Error{Kind: domain.ErrInvalid, Message: "请求含有未知字段 " + strings.Join(unknown, "、"), Fields: p}
	}
	return &badRequest{msg: "请求体不是有效的 JSON"}
}

// isJSON reports whether a Content-Type names JSON: the media type application/json exactly
// (a prefix let application/jsonx through), with no parameter but charset=utf-8, JSON's only
// encoding.
func isJSON(contentType string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != echo.MIMEApplicationJSON {
		return false
	}
	for name, value := range params {
		if name != "charset" || !strings.EqualFold(value, "utf-8") {
			return false
		}
	}
	return true
}

// unknownFields names every key of a JSON document that the type t (a DTO, or a pointer to
// one) has no field for, as the error fields name them: note, items[2].overwrit,
// checklist.masks. Keys match fields as encoding/json matches them, case aside.
func unknownFields(raw []byte, t reflect.Type) []string {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil
	}
	var out []string
	collectUnknown(doc, t, "", &out)
	return out
}

func collectUnknown(doc any, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch doc := doc.(type) {
	case map[string]any:
		if t.Kind() == reflect.Map {
			for _, k := range slices.Sorted(maps.Keys(doc)) {
				collectUnknown(doc[k], t.Elem(), joinField(path, k), out)
			}
			return
		}
		if t.Kind() != reflect.Struct {
			return
		}
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(doc)) {
			ft, ok := fields[k]
			if !ok {
				for name, f := range fields {
					if strings.EqualFold(name, k) {
						ft, ok = f, true
						break
					}
				}
			}
			if !ok {
				*out = append(*out, joinField(path, k))
				continue
			}
			collectUnknown(doc[k], ft, joinField(path, k), out)
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return
		}
		for i, item := range doc {
			collectUnknown(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonFields maps the JSON names of a struct's fields to their types, with the fields of
// embedded structs that have no name of their own, as encoding/json decodes them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if ft := f.Type; f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n, typ := range jsonFields(ft) {
				if _, taken := out[n]; !taken {
					out[n] = typ
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// requireLists refuses a request whose DTO has a list field without omitempty (one the
// OpenAPI document lists as required) that the body left out or sent as null: a PUT of
// supervisors without user_ids read as "no supervisors" and cleared them all. An empty list,
// [], is still a list. Top-level fields and those of embedded structs are checked.
func requireLists(v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	var p domain.Problems
	missingLists(rv, &p)
	return p.Err()
}

func missingLists(rv reflect.Value, p *domain.Problems) {
	t := rv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			missingLists(rv.Field(i), p)
			continue
		}
		if !f.IsExported() || name == "-" || f.Type.Kind() != reflect.Slice || slices.Contains(strings.Split(opts, ","), "omitempty") {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if rv.Field(i).IsNil() {
			p.Add(name, "必填:应为数组(可以是空数组 [])")
		}
	}
}

// refuseControls refuses a body with a control character (other than tab and line breaks) in
// any text: PostgreSQL cannot store NUL in text at all (it was a 500 there, found by
// FuzzWriteRoutes), and the others are never typed, only injected. JSON writes them only as
// escapes, so a body without \u00, \b or \f is passed without decoding it again.
func refuseControls(raw []byte) error {
	if !bytes.Contains(raw, []byte(`\u00`)) && !bytes.Contains(raw, []byte(`\b`)) && !bytes.Contains(raw, []byte(`\f`)) {
		return nil
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil // decoded once already; cannot fail
	}
	if field, found := controlField(doc, ""); found {
		return domain.Invalid(bodyField(field), "不能包含控制字符")
	}
	return nil
}

// bodyField names a place in the body that has no name of its own (a key "", found by
// FuzzWriteRoutes, or a bare string) after the body: "body", "body.x", "body[0]".
func bodyField(field string) string {
	if field == "" || strings.HasPrefix(field, ".") || strings.HasPrefix(field, "[") {
		return "body" + field
	}
	return field
}

// controlField finds text with a control character in a decoded JSON document and names where
// it is, as the error fields do: note, items[2].symptom_note, zones[0].
func controlField(v any, path string) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' })
	case []any:
		for i, item := range v {
			if f, ok := controlField(item, fmt.Sprintf("%s[%d]", path, i)); ok {
				return f, true
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			field := k
			if path != "" {
				field = path + "." + k
			}
			if f, ok := controlField(v[k], field); ok {
				return f, true
			}
		}
	}
	return "", false
}

func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "整数"
	case strings.HasPrefix(kind, "float"):
		return "数字"
	case kind == "bool":
		return "true 或 false"
	case kind == "string":
		return "文本"
	case kind == "slice":
		return "数组"
	}
	return "对象"
}
