package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fugong/domain"
)

func TestErrorKinds(t *testing.T) {
	kinds := []error{
		domain.ErrInvalid, domain.ErrNotFound, domain.ErrConflict, domain.ErrForbidden,
		domain.ErrUnauthenticated, domain.ErrTooManyRequests, domain.ErrUnavailable,
	}
	tests := []struct {
		name string
		err  error
		kind error
	}{
		{name: "NotFound", err: domain.NotFound("企业"), kind: domain.ErrNotFound},
		{name: "Conflict", err: domain.Conflict("已登记"), kind: domain.ErrConflict},
		{name: "Forbidden", err: domain.Forbidden("不可以"), kind: domain.ErrForbidden},
		{name: "Unauthenticated", err: domain.Unauthenticated("请登录"), kind: domain.ErrUnauthenticated},
		{name: "Invalid", err: domain.Invalid("name", "请填写"), kind: domain.ErrInvalid},
		{name: "Wrapped", err: fmt.Errorf("import roster: %w", domain.NotFound("企业")), kind: domain.ErrNotFound},
		{name: "WrappedTwice", err: fmt.Errorf("a: %w", fmt.Errorf("b: %w", domain.Invalid("x", "y"))), kind: domain.ErrInvalid},
		{name: "Struct", err: &domain.Error{Kind: domain.ErrUnavailable, Message: "稍后再试"}, kind: domain.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range kinds {
				if got, want := errors.Is(tt.err, k), k == tt.kind; got != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", tt.err, k, got, want)
				}
			}
			var de *domain.Error
			if !errors.As(tt.err, &de) {
				t.Fatalf("got errors.As false for %v, want a *domain.Error", tt.err)
			}
			if de.Kind != tt.kind {
				t.Errorf("got kind %v, want %v", de.Kind, tt.kind)
			}
		})
	}
}

func TestNotFoundMessage(t *testing.T) {
	var de *domain.Error
	if !errors.As(domain.NotFound("企业"), &de) {
		t.Fatal("got no *domain.Error")
	}
	if got, want := de.Message, "企业不存在"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestConflictAndForbiddenFields(t *testing.T) {
	err := domain.Conflict("重复", domain.FieldError{Field: "credit_code", Message: "已登记"})
	wantErr(t, err, domain.ErrConflict, "credit_code")
	err = domain.Forbidden("不可以", domain.FieldError{Field: "name", Message: "a"}, domain.FieldError{Field: "zone", Message: "b"})
	wantErr(t, err, domain.ErrForbidden, "name", "zone")
}

func TestProblems(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		var p domain.Problems
		if err := p.Err(); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		if p.Has("name") {
			t.Fatalf("got Has(name) = true on no problems, want false")
		}
	})
	t.Run("EveryField", func(t *testing.T) {
		var p domain.Problems
		p.Add("name", "请填写名称")
		p.Add("zones[1]", "重复")
		p.Add("name", "太长")
		if !p.Has("zones[1]") || !p.Has("name") {
			t.Fatalf("got Has false for an added field, want true")
		}
		if p.Has("code") {
			t.Fatalf("got Has(code) = true, want false")
		}
		err := p.Err()
		wantErr(t, err, domain.ErrInvalid, "name", "name", "zones[1]")
		var de *domain.Error
		errors.As(err, &de)
		if got, want := de.Fields[1], (domain.FieldError{Field: "zones[1]", Message: "重复"}); got != want {
			t.Fatalf("got %+v, want %+v (fields keep their order)", got, want)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		err := domain.Invalid("phone", "手机号不对")
		wantErr(t, err, domain.ErrInvalid, "phone")
		var de *domain.Error
		errors.As(err, &de)
		if got, want := de.Fields[0].Message, "手机号不对"; got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{name: "NoFields", err: domain.Forbidden("无权修改"), want: []string{"forbidden", "无权修改"}},
		{name: "Fields", err: domain.Invalid("credit_code", "校验位不正确"), want: []string{"invalid", "credit_code", "校验位不正确"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.err.Error()
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("got %q, want it to contain %q", s, w)
				}
			}
		})
	}
}
