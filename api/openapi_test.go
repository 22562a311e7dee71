package api_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"fugong/api"
	"fugong/repo/dbtest"
)

// TestOpenAPIMatchesRoutes keeps /api/openapi.json true: every route Echo serves is in it with
// its method, and everything in it is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	db := dbtest.Engines(t)[0].Open(t)
	f := newFixture(t, db)
	res := f.do(http.MethodGet, "/api/openapi.json", "", nil)
	if res.status != http.StatusOK {
		t.Fatalf("got %d, want 200", res.status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	res.decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("got openapi %q, want 3.x", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	served := map[string]bool{}
	for _, r := range f.e.Routes() {
		if r.Method == echo.RouteNotFound || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		served[r.Method+" "+api.OpenAPIPath(r.Path)] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("served but not documented: %s", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("documented but not served: %s", k)
		}
	}
	for _, want := range []string{"POST /api/v1/auth/login", "GET /api/v1/enterprises/{id}", "PUT /api/v1/enterprises/{id}/supervisors"} {
		if !documented[want] {
			t.Errorf("missing %s", want)
		}
	}
	t.Run("Schemas", func(t *testing.T) {
		var op struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties           map[string]any `json:"properties"`
						AdditionalProperties *bool          `json:"additionalProperties"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
			Responses map[string]any `json:"responses"`
		}
		if err := json.Unmarshal(doc.Paths["/api/v1/enterprises"]["post"], &op); err != nil {
			t.Fatal(err)
		}
		var props []string
		for p := range op.RequestBody.Content["application/json"].Schema.Properties {
			props = append(props, p)
		}
		slices.Sort(props)
		want := []string{"address", "contact_name", "contact_phone", "credit_code", "headcount", "industry", "name", "zone"}
		if !slices.Equal(props, want) {
			t.Errorf("got %v, want %v", props, want)
		}
		// A body refuses a field it does not have, with 422, and a body not sent as JSON, with 415.
		if ap := op.RequestBody.Content["application/json"].Schema.AdditionalProperties; ap == nil || *ap {
			t.Errorf("got additionalProperties %v, want false", ap)
		}
		if _, ok := op.Responses["415"]; !ok {
			t.Errorf("got responses %v, want 415 among them", slices.Sorted(maps.Keys(op.Responses)))
		}
	})
}

// TestOpenAPIDescriptionsWhole: a field's description is served whole, commas and all (issue
// 16, item 10: 16 descriptions were cut at their first comma, and the check-in's symptoms read
// "fever").
func TestOpenAPIDescriptionsWhole(t *testing.T) {
	db := dbtest.Engines(t)[0].Open(t)
	f := newFixture(t, db)
	res := f.do(http.MethodGet, "/api/openapi.json", "", nil)
	body := string(res.body)
	for _, want := range []string{
		"fever, dry_cough, fatigue, sore_throat, shortness_of_breath, diarrhea, loss_of_taste_smell, other",
		"due to report: back by the day, at work or isolating",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the document lacks the whole description %q", want)
		}
	}
}

// TestOpenAPIFeverThreshold: the answers that carry the township's fever threshold to those
// who may not read its settings (the dashboard summary, /me) document it.
func TestOpenAPIFeverThreshold(t *testing.T) {
	db := dbtest.Engines(t)[0].Open(t)
	f := newFixture(t, db)
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]struct {
							Type        string `json:"type"`
							Description string `json:"description"`
						} `json:"properties"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	f.do(http.MethodGet, "/api/openapi.json", "", nil).decode(t, &doc)
	for _, path := range []string{"/api/v1/me", "/api/v1/dashboard/summary"} {
		p := doc.Paths[path]["get"].Responses["200"].Content["application/json"].Schema.Properties["fever_threshold"]
		if p.Type != "number" || !strings.Contains(p.Description, "township's fever threshold") {
			t.Errorf("%s: got fever_threshold %+v, want a number described as the township's fever threshold", path, p)
		}
	}
}
