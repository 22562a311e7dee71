package domain_test

// Like services_test.go, these run PlanService with no stores: each case is refused before
// any store is called. The workflow itself is tested on real databases in repo.

import (
	"context"
	"strings"
	"testing"

	"fugong/domain"
)

func TestPlanServiceRefuses(t *testing.T) {
	s := storeless().Plans
	ctx := context.Background()
	t.Run("RejectErrInvalidNoComment", func(t *testing.T) {
		for _, comment := range []string{"", " \u3000 "} {
			_, err := s.Reject(ctx, supervisor, 1, comment)
			wantErr(t, err, domain.ErrInvalid, "comment")
		}
	})
	t.Run("ApproveErrInvalidCommentTooLong", func(t *testing.T) {
		_, err := s.Approve(ctx, supervisor, 1, strings.Repeat("好", 1001))
		wantErr(t, err, domain.ErrInvalid, "comment")
	})
	t.Run("RejectErrInvalidCommentTooLong", func(t *testing.T) {
		_, err := s.Reject(ctx, supervisor, 1, strings.Repeat("改", 1001))
		wantErr(t, err, domain.ErrInvalid, "comment")
	})
	t.Run("ConfirmReopeningErrInvalidReasonTooLong", func(t *testing.T) {
		_, err := s.ConfirmReopening(ctx, supervisor, 1, domain.NewDate(2026, 2, 10), strings.Repeat("急", domain.MaxReopenReason+1))
		wantErr(t, err, domain.ErrInvalid, "reason")
	})
	for _, a := range []domain.Actor{hr, worker} {
		t.Run("QueueErrForbidden/"+string(a.Role), func(t *testing.T) {
			_, _, err := s.Queue(ctx, a, []domain.PlanStatus{domain.PlanSubmitted}, domain.Page{})
			wantErr(t, err, domain.ErrForbidden)
		})
	}
}

func TestPlanStatus(t *testing.T) {
	for _, s := range []domain.PlanStatus{domain.PlanDraft, domain.PlanSubmitted, domain.PlanApproved, domain.PlanRejected} {
		if !s.Valid() || s.Label() == "" {
			t.Errorf("got %s valid %v label %q, want valid with a label", s, s.Valid(), s.Label())
		}
	}
	for _, s := range []domain.PlanStatus{"", "pending", "Draft"} {
		if s.Valid() {
			t.Errorf("got %q valid, want invalid", s)
		}
	}
}
