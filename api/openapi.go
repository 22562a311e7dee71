package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// openAPIDocument renders the route table as an OpenAPI 3.1 document. Request and response
// schemas are reflected from the DTO types themselves (JSON Schema 2020-12, which OpenAPI 3.1
// uses), so a field added to a DTO shows up in the document without anyone remembering to.
func openAPIDocument(routes *Routes) []byte {
	paths := map[string]map[string]any{}
	for _, rt := range routes.List {
		p := OpenAPIPath("/api/v1" + rt.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = operation(rt)
	}
	paths["/healthz"] = map[string]any{"get": plainOp("Liveness: 200 while the process runs", nil)}
	paths["/readyz"] = map[string]any{"get": plainOp("Readiness: 200 when the database answers, 503 otherwise",
		map[string]any{"503": map[string]any{"description": "database unreachable"}})}
	paths["/api/openapi.json"] = map[string]any{"get": plainOp("This document", nil)}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title": "Fugong (复工) API", "version": "1",
			"description": "Township return-to-work platform: enterprises, reopening plans, rosters, daily health check-ins and monitoring. " +
				"Errors: {\"error\": {\"code\", \"message\", \"fields\": [{\"field\", \"message\"}]}}. Lists: {\"items\", \"total\"}. " +
				"Request bodies are application/json; a field a body does not have, or a query parameter a route does not, is refused naming it.",
		},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
			"schemas":         map[string]any{"Error": schemaOf(errorBody{})},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("api: openapi document: " + err.Error()) // only DTO types go in: cannot fail
	}
	return b
}

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// OpenAPIPath turns Echo's /enterprises/:id into OpenAPI's /enterprises/{id}.
func OpenAPIPath(p string) string { return echoParam.ReplaceAllString(p, "{$1}") }

func operation(rt Route) map[string]any {
	op := map[string]any{"summary": rt.Summary}
	var params []any
	for _, m := range echoParam.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "integer"}})
	}
	for _, q := range rt.Query {
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": bodySchemaOf(rt.Body)}}}
	}
	ok := map[string]any{"description": http.StatusText(rt.Status)}
	switch {
	case rt.Produces != "":
		ok["content"] = map[string]any{rt.Produces: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case rt.Response != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(rt.Response)}}
	}
	errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	responses := map[string]any{strconv.Itoa(rt.Status): ok}
	for code, desc := range map[string]string{"400": "malformed request", "422": "invalid fields", "404": "not found or out of scope"} {
		responses[code] = with(errRef, desc)
	}
	if rt.Body != nil {
		responses["415"] = with(errRef, "the body is not sent as application/json (a charset other than utf-8 included)")
	}
	if !rt.Public {
		op["security"] = []any{map[string]any{"bearer": []any{}}}
		responses["401"] = with(errRef, "not signed in")
		responses["403"] = with(errRef, "role may not do this")
		roles := make([]string, 0, len(rt.Roles))
		for _, r := range rt.Roles {
			roles = append(roles, string(r))
		}
		op["x-roles"] = roles
	}
	op["responses"] = responses
	return op
}

func plainOp(summary string, more map[string]any) map[string]any {
	responses := map[string]any{"200": map[string]any{"description": "OK"}}
	for k, v := range more {
		responses[k] = v
	}
	return map[string]any{"summary": summary, "responses": responses}
}

func with(m map[string]any, desc string) map[string]any {
	out := map[string]any{"description": desc}
	for k, v := range m {
		out[k] = v
	}
	return out
}

var (
	reflector = &jsonschema.Reflector{DoNotReference: true, Anonymous: true, AllowAdditionalProperties: true}
	// bodyReflector documents request bodies, which refuse a field they do not have (bindJSON):
	// additionalProperties false. Answers may grow fields, so theirs stay open.
	bodyReflector = &jsonschema.Reflector{DoNotReference: true, Anonymous: true}
)

// bodySchemaOf reflects a request DTO's JSON Schema: fields without omitempty are required
// (bindJSON refuses a missing list among them; the services name the others they need).
func bodySchemaOf(v any) *jsonschema.Schema {
	s := bodyReflector.ReflectFromType(reflect.TypeOf(v))
	s.Version = ""
	return s
}

// schemaOf reflects a DTO's JSON Schema; fields without omitempty are listed as required.
func schemaOf(v any) *jsonschema.Schema {
	s := reflector.ReflectFromType(reflect.TypeOf(v))
	s.Version = ""
	return s
}
