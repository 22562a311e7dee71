package domain

import (
	"errors"
	"fmt"
)

// Error kinds. Every error a service returns wraps one of these, so that the edge (the HTTP
// error handler) can map it to a status code in one table; test for them with errors.Is.
var (
	ErrInvalid         = errors.New("invalid")
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrTooManyRequests = errors.New("too many requests")
	ErrUnavailable     = errors.New("unavailable")
)

// FieldError names one invalid input field and says, in words its user understands, what is
// wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// Error is a domain error with a message that is safe to show to users. Unwrap gives its kind.
type Error struct {
	Kind    error
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%v: %s", e.Kind, e.Message)
	}
	return fmt.Sprintf("%v: %s %v", e.Kind, e.Message, e.Fields)
}

// Unwrap lets errors.Is(err, ErrInvalid) and friends work on a wrapped *Error.
func (e *Error) Unwrap() error { return e.Kind }

// NotFound reports that what (a record kind, such as "企业") does not exist or is out of the
// actor's scope: both answer the same, so that scope is never revealed.
func NotFound(what string) error {
	return &Error{Kind: ErrNotFound, Message: what + "不存在"}
}

// Conflict reports a request that contradicts the current state of a record.
func Conflict(msg string, fields ...FieldError) error {
	return &Error{Kind: ErrConflict, Message: msg, Fields: fields}
}

// Forbidden reports an actor that is known but may not do this.
func Forbidden(msg string, fields ...FieldError) error {
	return &Error{Kind: ErrForbidden, Message: msg, Fields: fields}
}

// Unauthenticated reports missing or wrong credentials.
func Unauthenticated(msg string) error {
	return &Error{Kind: ErrUnauthenticated, Message: msg}
}

// Problems collects field errors while a request is validated, so that the user learns of
// every problem at once instead of one per attempt.
type Problems []FieldError

// Add records that field is invalid.
func (p *Problems) Add(field, msg string) { *p = append(*p, FieldError{Field: field, Message: msg}) }

// Has reports whether field already has a problem, so that a later check does not pile a
// second message onto a field that is already wrong.
func (p Problems) Has(field string) bool {
	for _, f := range p {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was added, and otherwise one ErrInvalid error naming every field.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Kind: ErrInvalid, Message: "输入有误,请检查标出的字段", Fields: p}
}

// Invalid is a shortcut for one invalid field.
func Invalid(field, msg string) error {
	var p Problems
	p.Add(field, msg)
	return p.Err()
}
