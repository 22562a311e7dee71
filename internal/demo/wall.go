package demo

import (
	"context"
	"fmt"

	"fugong/domain"
)

// WallUsername is the demo's wall screen account (大屏, issue 21): the town office's meeting
// room screen, which opens /wall at boot.
const WallUsername = "wall1"

// wallScreen has the town admin make the meeting room screen's account two days ago, as the
// office set it up: a viewer of the township, which reads its figures and no one's name.
func (s *seeder) wallScreen(ctx context.Context) error {
	s.day(-2, 9, 30)
	if _, err := s.svc.Users.Create(ctx, s.town, domain.NewUser{Username: WallUsername, Password: Password,
		Role: domain.RoleViewer, Name: "镇政府会议室大屏"}); err != nil {
		return fmt.Errorf("wall screen account: %w", err)
	}
	return nil
}
