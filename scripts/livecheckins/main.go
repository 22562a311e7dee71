// Command livecheckins drives check-ins against a running Fugong server, so that the
// dashboard's charts can be watched moving: it signs in as the demo's enterprise HR accounts
// and reports, on behalf of workers, those who have not checked in for the current slot yet
// (and, once everyone has, re-reports someone), now and then with a fever or a cough.
//
//	go run . serve --demo                     # in one terminal
//	go run ./scripts/livecheckins -rate 5     # in another; open /dashboard as changshan
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"time"
)

func main() {
	url := flag.String("url", "http://localhost:8080", "the server")
	rate := flag.Float64("rate", 3, "check-ins per second")
	duration := flag.Duration("duration", 10*time.Minute, "how long to run")
	hrs := flag.Int("enterprises", 36, "use the demo accounts hr1 … hrN")
	password := flag.String("password", "demo1234", "their password")
	fever := flag.Float64("fever", 0.03, "share of reports with a fever")
	flag.Parse()
	sent, refused, err := run(*url, *rate, *duration, *hrs, *password, *fever)
	if err != nil {
		fmt.Fprintln(os.Stderr, "livecheckins:", err)
		os.Exit(1)
	}
	log.Printf("done: %d check-ins sent, %d refused", sent, refused)
}

// hr is a signed-in HR account and its enterprise.
type hr struct {
	token      string
	enterprise int64
}

// run reports for duration at rate and says how many reports were taken and refused.
func run(url string, rate float64, duration time.Duration, n int, password string, fever float64) (sent, refused int, err error) {
	if rate <= 0 {
		return 0, 0, errors.New("-rate must be above 0")
	}
	accounts, err := signInAll(url, n, password)
	if err != nil {
		return 0, 0, err
	}
	signedIn := time.Now()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	end := time.After(duration)
	for {
		select {
		case <-end:
			return sent, refused, nil
		case <-tick.C:
		}
		if time.Since(signedIn) > 10*time.Minute { // access tokens last 15
			if accounts, err = signInAll(url, n, password); err != nil {
				return sent, refused, err
			}
			signedIn = time.Now()
		}
		a := accounts[rand.IntN(len(accounts))]
		ok, err := reportOne(url, a, fever)
		if err != nil {
			return sent, refused, err
		}
		if ok {
			sent++
		} else {
			refused++
		}
		if (sent+refused)%20 == 0 {
			log.Printf("%d check-ins sent, %d refused", sent, refused)
		}
	}
}

// slotNow is the slot a report made now belongs to, on the township's (Beijing) clock.
func slotNow() string {
	if time.Now().In(time.FixedZone("CST", 8*3600)).Hour() < 12 {
		return "am"
	}
	return "pm"
}

// reportOne reports one worker of a's enterprise: someone still missing the slot if there is
// anyone, else anyone due.
func reportOne(url string, a hr, fever float64) (bool, error) {
	slot := slotNow()
	var day struct {
		Items []struct {
			WorkerID int64 `json:"worker_id"`
		} `json:"items"`
	}
	path := fmt.Sprintf("/api/v1/enterprises/%d/checkins", a.enterprise)
	if err := call(url, http.MethodGet, path+"?missing="+slot, a.token, nil, &day); err != nil {
		return false, err
	}
	if len(day.Items) == 0 {
		if err := call(url, http.MethodGet, path, a.token, nil, &day); err != nil || len(day.Items) == 0 {
			return false, err
		}
	}
	// (HR confirms replacing a worker's own report, as the roster page asks it to: once everyone
	// has reported, the simulation reports again for anyone.)
	item := map[string]any{"worker_id": day.Items[rand.IntN(len(day.Items))].WorkerID, "slot": slot,
		"temperature": 36.0 + float64(rand.IntN(10))/10, "overwrite": true}
	if rand.Float64() < fever {
		item["temperature"] = 37.5 + float64(rand.IntN(12))/10
		item["symptoms"] = []string{"fever", "dry_cough"}[:1+rand.IntN(2)]
	}
	var res struct {
		Failed int `json:"failed"`
	}
	if err := call(url, http.MethodPost, path, a.token, map[string]any{"items": []any{item}}, &res); err != nil {
		return false, err
	}
	return res.Failed == 0, nil
}

func signInAll(url string, n int, password string) ([]hr, error) {
	var accounts []hr
	for i := 1; i <= n; i++ {
		a, err := signIn(url, fmt.Sprintf("hr%d", i), password)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, a)
	}
	return accounts, nil
}

func signIn(url, username, password string) (hr, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		User        struct {
			EnterpriseID int64 `json:"enterprise_id"`
		} `json:"user"`
	}
	err := call(url, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, &out)
	if err != nil {
		return hr{}, fmt.Errorf("sign in as %s: %w", username, err)
	}
	return hr{token: out.AccessToken, enterprise: out.User.EnterpriseID}, nil
}

// call sends a JSON request and decodes the answer; a non-2xx answer is an error.
func call(url, method, path, token string, body, out any) error {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		_ = json.NewDecoder(res.Body).Decode(&e)
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, e.Error.Message)
	}
	return json.NewDecoder(res.Body).Decode(out)
}
