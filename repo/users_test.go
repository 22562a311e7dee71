package repo_test

import (
	"context"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestUserStoreRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.UserStore{DB: db}
		u := domain.User{Username: "platform", Name: "平台", Role: domain.RolePlatformAdmin, Active: true, PasswordHash: "x"}
		if err := s.Create(ctx, &u); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", got)
	})
}
