package app

import (
	"context"
	"errors"
	"net/http"

	"fugong/domain"
	"fugong/notify"
)

// robots reach the group robots for the services (domain.Robots) through package notify,
// translating between the domain's words and notify's: the domain knows no HTTP.
type robots struct{ sender *notify.Sender }

var _ domain.Robots = robots{}

// NewRobots sends with client (nil: a fresh one); redirects are never followed (notify).
func NewRobots(client *http.Client) robots { return robots{sender: &notify.Sender{Client: client}} }

func channelOf(c domain.Channel) notify.Channel {
	return notify.Channel{Kind: notify.Kind(c.Kind), URL: c.URL, Key: c.Key, Secret: c.Secret}
}

func messageOf(m domain.RobotMessage) notify.Message {
	return notify.Message{Title: m.Title, Markdown: m.Markdown, MentionPhones: m.MentionPhones, Key: m.Key}
}

// Check turns notify's problems into the domain's field errors (url, key, secret, kind).
func (r robots) Check(c domain.Channel) error {
	err := channelOf(c).Validate()
	var ie *notify.InvalidError
	if !errors.As(err, &ie) {
		return err
	}
	var p domain.Problems
	for _, pr := range ie.Problems {
		p.Add(pr.Field, pr.Message)
	}
	return p.Err()
}

func (r robots) Send(ctx context.Context, c domain.Channel, m domain.RobotMessage) domain.RobotAnswer {
	res, _ := r.sender.Send(ctx, channelOf(c), messageOf(m)) // the Result says all the error does
	return domain.RobotAnswer{
		Outcome: string(res.Outcome), StatusCode: res.StatusCode, Code: res.Code, Message: res.Message,
		RetryAfter: res.RetryAfter, Requests: res.Requests, MentionNote: res.MentionNote,
	}
}

func (r robots) Cost(c domain.Channel, m domain.RobotMessage) int {
	return notify.Cost(channelOf(c), messageOf(m))
}
