package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// checkinAnswer is the part of POST /checkins' answer the worker's phone decides by.
type checkinAnswer struct {
	Fever        bool     `json:"fever"`
	Symptoms     []string `json:"symptoms"`
	Source       string   `json:"source"`
	Advice       string   `json:"advice"`
	ContactName  string   `json:"contact_name"`
	ContactPhone string   `json:"contact_phone"`
}

// TestCheckinAdvice is issue 21's worker's fever through the API: a normal reading is answered
// with no advice; a fever, or symptoms alone, with the township's fever advice and the
// enterprise's contact; the town admin rewords the advice on its settings and the next fever
// gets the new words; the advice may be neither empty nor longer than a phone's screen.
func TestCheckinAdvice(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, tok := f.workerToken(1)
		checkin := func(t *testing.T, body map[string]any) checkinAnswer {
			t.Helper()
			res := f.do(http.MethodPost, "/api/v1/checkins", tok, body)
			if res.status != http.StatusCreated && res.status != http.StatusOK {
				t.Fatalf("check-in: got %d %s", res.status, res.body)
			}
			var a checkinAnswer
			res.decode(t, &a)
			return a
		}
		// The fixture's enterprises have 王强, 13800000001 as their contact.
		advised := func(t *testing.T, got checkinAnswer, text string) {
			t.Helper()
			if got.Advice != text || got.ContactName != "王强" || got.ContactPhone != "13800000001" {
				t.Errorf("got advice %q, contact %q %q; want %q, 王强 13800000001", got.Advice, got.ContactName, got.ContactPhone, text)
			}
		}

		t.Run("Normal", func(t *testing.T) {
			got := checkin(t, map[string]any{"slot": "am", "temperature": 36.6, "location": "work"})
			if got.Fever || got.Advice != "" || got.ContactName != "" || got.ContactPhone != "" || got.Source != "worker" {
				t.Errorf("got %+v, want no fever, no advice, no contact, source worker", got)
			}
		})
		t.Run("Fever", func(t *testing.T) {
			got := checkin(t, map[string]any{"slot": "am", "temperature": 38.4, "location": "work"})
			if !got.Fever {
				t.Errorf("got fever false for 38.4, want true")
			}
			advised(t, got, domain.DefaultFeverAdvice)
		})
		t.Run("Symptoms", func(t *testing.T) {
			got := checkin(t, map[string]any{"slot": "pm", "temperature": 36.5, "symptoms": []string{"dry_cough"}, "location": "work"})
			if got.Fever {
				t.Errorf("got fever true for 36.5, want false")
			}
			advised(t, got, domain.DefaultFeverAdvice)
		})
		t.Run("TownshipRewords", func(t *testing.T) {
			admin := f.token("admina")
			path := fmt.Sprintf("/api/v1/townships/%d", f.townA.ID)
			text := "请立即停工，戴好口罩，告知企业联系人，到镇卫生院发热门诊就诊。"
			res := f.do(http.MethodPatch, path, admin, map[string]any{"fever_advice": "  " + text + " "})
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"fever_advice":"`+text+`"`) {
				t.Fatalf("PATCH fever_advice: got %d %s, want 200 with the trimmed text", res.status, res.body)
			}
			if res := f.do(http.MethodGet, path, admin, nil); !strings.Contains(string(res.body), `"fever_advice":"`+text+`"`) {
				t.Errorf("GET township: got %s, want fever_advice %q", res.body, text)
			}
			advised(t, checkin(t, map[string]any{"slot": "am", "temperature": 38.4, "location": "work"}), text)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			admin := f.token("admina")
			path := fmt.Sprintf("/api/v1/townships/%d", f.townA.ID)
			for name, text := range map[string]string{"Empty": "   ", "TooLong": strings.Repeat("停", domain.MaxFeverAdvice+1)} {
				res := f.do(http.MethodPatch, path, admin, map[string]any{"fever_advice": text})
				if fields := res.errorFields(t); res.status != http.StatusUnprocessableEntity || len(fields) != 1 || fields[0] != "fever_advice" {
					t.Errorf("%s: got %d %v, want 422 on fever_advice", name, res.status, fields)
				}
			}
		})
		t.Run("ErrForbiddenSupervisor", func(t *testing.T) {
			res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), f.token("supa"), map[string]any{"fever_advice": "不应写入"})
			if res.status != http.StatusForbidden {
				t.Errorf("got %d %s, want 403", res.status, res.body)
			}
		})
	})
}

// TestCheckinSource: the worker's history says who sent each slot's reading, so that the phone
// labels HR's reports on the worker's behalf (人事代报).
func TestCheckinSource(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		workerID, tok := f.workerToken(1)
		if res := f.do(http.MethodPost, "/api/v1/checkins", tok, map[string]any{"slot": "am", "temperature": 36.5}); res.status != http.StatusCreated {
			t.Fatalf("own check-in: got %d %s", res.status, res.body)
		}
		res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/checkins", f.entA1.ID), f.token("hra1"),
			map[string]any{"items": []map[string]any{{"worker_id": workerID, "slot": "pm", "temperature": 36.7}}})
		if !strings.Contains(string(res.body), `"created":1`) || !strings.Contains(string(res.body), `"source":"on_behalf"`) {
			t.Fatalf("on behalf: got %d %s, want one created, source on_behalf", res.status, res.body)
		}
		var mine struct {
			Items []struct {
				Slot   string `json:"slot"`
				Source string `json:"source"`
			} `json:"items"`
		}
		f.do(http.MethodGet, "/api/v1/checkins/me", tok, nil).decode(t, &mine)
		got := map[string]string{}
		for _, c := range mine.Items {
			got[c.Slot] = c.Source
		}
		if len(mine.Items) != 2 || got["am"] != "worker" || got["pm"] != "on_behalf" {
			t.Errorf("got %+v, want am from the worker and pm on behalf", mine.Items)
		}
	})
}
