package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"fugong/internal/demo"
)

// demoPassword is the password of every demo staff account (README, Demo accounts).
const demoPassword = "demo1234"

// workerAccount is the name the worker's screenshots carry: the demo's workers have no
// username, they sign in with their enterprise's code, their phone and a PIN.
const workerAccount = "worker"

// session is an account signed in through the API: its token, to find the records whose pages
// are photographed, and its role, which picks its menu.
type session struct {
	account      string
	role         string
	token        string
	enterpriseID int64
	// code and phone sign a worker in on the phone page's form.
	code, phone string
}

// client talks to the server's API.
type client struct {
	url  string
	http *http.Client
}

func newClient(base string) *client {
	return &client{url: base, http: &http.Client{Timeout: time.Minute}}
}

// call sends a JSON request and decodes a 2xx answer into out; any other status is an error
// naming it.
func (c *client) call(method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(msg))
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// signIn signs a staff account in with the demo password.
func (c *client) signIn(account string) (session, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		User        struct {
			Role         string `json:"role"`
			EnterpriseID *int64 `json:"enterprise_id"`
		} `json:"user"`
	}
	err := c.call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": account, "password": demoPassword}, &out)
	if err != nil {
		return session{}, err
	}
	s := session{account: account, role: out.User.Role, token: out.AccessToken}
	if out.User.EnterpriseID != nil {
		s.enterpriseID = *out.User.EnterpriseID
	}
	return s, nil
}

// listAnswer is a page of a list: the ids of its items, and the codes and phones the worker's
// search reads.
type listAnswer struct {
	Items []struct {
		ID     int64  `json:"id"`
		Code   string `json:"code"`
		Phone  string `json:"phone"`
		PINSet bool   `json:"pin_set"`
	} `json:"items"`
}

// firstID is the id of the first item path lists, trying each query in turn (the richest
// first), or 0 when every list is empty.
func (c *client) firstID(token, path string, queries ...string) (int64, error) {
	for _, q := range queries {
		var l listAnswer
		if err := c.call(http.MethodGet, path+"?page_size=1&"+q, token, nil, &l); err != nil {
			return 0, err
		}
		if len(l.Items) > 0 {
			return l.Items[0].ID, nil
		}
	}
	return 0, nil
}

// signInWorker finds, as the town admin would from the README, a worker on duty who has set
// the demo PIN (an enterprise's code on its page, the phone on its roster), and signs them in.
func (c *client) signInWorker(admin session) (session, error) {
	var ents listAnswer
	if err := c.call(http.MethodGet, "/api/v1/enterprises?status=reopened&page_size=100", admin.token, nil, &ents); err != nil {
		return session{}, err
	}
	for _, e := range ents.Items {
		var ws listAnswer
		path := fmt.Sprintf("/api/v1/enterprises/%d/workers?status=on_duty&page_size=50", e.ID)
		if err := c.call(http.MethodGet, path, admin.token, nil, &ws); err != nil {
			return session{}, err
		}
		for _, w := range ws.Items {
			if !w.PINSet {
				continue
			}
			var out struct {
				AccessToken string `json:"access_token"`
			}
			body := map[string]string{"enterprise_code": e.Code, "phone": w.Phone, "pin": demo.PIN}
			if err := c.call(http.MethodPost, "/api/v1/auth/worker-login", "", body, &out); err != nil {
				return session{}, err
			}
			return session{account: workerAccount, role: "worker", token: out.AccessToken, code: e.Code, phone: w.Phone}, nil
		}
	}
	return session{}, fmt.Errorf("no demo worker on duty has set the demo PIN")
}

// shot is one page to photograph: name goes into the file's name.
type shot struct {
	name string
	path string
}

// detailPages are the pages reachable from a role's lists rather than its menu: an
// enterprise's page, roster and check-ins, a plan's review, a township's settings, and the
// worker's phone page. Records are picked with the account's own token, so they are in its
// scope.
func (c *client) detailPages(s session) ([]shot, error) {
	switch s.role {
	case "platform_admin":
		id, err := c.firstID(s.token, "/api/v1/townships", "")
		if err != nil || id == 0 {
			return nil, err
		}
		return []shot{{"township-settings", fmt.Sprintf("/townships/%d", id)}}, nil
	case "town_admin", "supervisor":
		return c.scopePages(s)
	case "enterprise_hr":
		id, err := c.firstID(s.token, fmt.Sprintf("/api/v1/enterprises/%d/plans", s.enterpriseID), "")
		if err != nil || id == 0 {
			return nil, err // an enterprise that has not started a plan has no plan page
		}
		return []shot{{"plan-review", fmt.Sprintf("/plans/%d", id)}}, nil
	case "worker":
		return []shot{{"checkin", "/checkin"}}, nil
	}
	return nil, nil
}

// scopePages are a town admin's or supervisor's detail pages: a reopened enterprise's (it has
// a roster, check-ins and passes to show), and a plan waiting for review, else an approved one.
func (c *client) scopePages(s session) ([]shot, error) {
	var shots []shot
	ent, err := c.firstID(s.token, "/api/v1/enterprises", "status=reopened", "")
	if err != nil {
		return nil, err
	}
	if ent != 0 {
		base := fmt.Sprintf("/enterprises/%d", ent)
		shots = append(shots, shot{"enterprise", base}, shot{"enterprise-roster", base + "/roster"},
			shot{"enterprise-checkins", base + "/checkins"})
	}
	plan, err := c.firstID(s.token, "/api/v1/plans", "status=submitted", "status=approved")
	if err != nil {
		return nil, err
	}
	if plan != 0 {
		shots = append(shots, shot{"plan-review", fmt.Sprintf("/plans/%d", plan)})
	}
	return shots, nil
}
