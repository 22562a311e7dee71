package domain_test

import (
	"testing"

	"fugong/domain"
)

func TestRoleValid(t *testing.T) {
	tests := []struct {
		role domain.Role
		want bool
	}{
		{domain.RolePlatformAdmin, true},
		{domain.RoleTownAdmin, true},
		{domain.RoleSupervisor, true},
		{domain.RoleEnterpriseHR, true},
		{domain.RoleWorker, true},
		{"admin", false},
		{"", false},
		{"Town_Admin", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			if got := tt.role.Valid(); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestActorIs(t *testing.T) {
	a := domain.Actor{UserID: 1, Role: domain.RoleSupervisor, TownshipID: 3}
	tests := []struct {
		name  string
		roles []domain.Role
		want  bool
	}{
		{name: "Own", roles: []domain.Role{domain.RoleSupervisor}, want: true},
		{name: "OneOf", roles: []domain.Role{domain.RoleTownAdmin, domain.RoleSupervisor}, want: true},
		{name: "Other", roles: []domain.Role{domain.RoleTownAdmin, domain.RolePlatformAdmin}, want: false},
		{name: "None", roles: nil, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.Is(tt.roles...); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestActorInTownship(t *testing.T) {
	tests := []struct {
		name  string
		actor domain.Actor
		id    int64
		want  bool
	}{
		{name: "PlatformAdminAnywhere", actor: domain.Actor{Role: domain.RolePlatformAdmin}, id: 9, want: true},
		{name: "TownAdminOwn", actor: domain.Actor{Role: domain.RoleTownAdmin, TownshipID: 9}, id: 9, want: true},
		{name: "TownAdminOther", actor: domain.Actor{Role: domain.RoleTownAdmin, TownshipID: 9}, id: 8, want: false},
		{name: "SupervisorOwn", actor: domain.Actor{Role: domain.RoleSupervisor, TownshipID: 2}, id: 2, want: true},
		{name: "NoTownshipNeverMatchesZero", actor: domain.Actor{Role: domain.RoleTownAdmin}, id: 0, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.actor.InTownship(tt.id); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestActorInTenant(t *testing.T) {
	tests := []struct {
		name  string
		actor domain.Actor
		want  bool
	}{
		{name: "PlatformAdmin", actor: domain.Actor{UserID: 1, Role: domain.RolePlatformAdmin}, want: false},
		// Even a platform admin's token that claimed a township stays outside.
		{name: "PlatformAdminWithTownship", actor: domain.Actor{UserID: 1, Role: domain.RolePlatformAdmin, TownshipID: 9}, want: false},
		{name: "TownAdmin", actor: domain.Actor{UserID: 2, Role: domain.RoleTownAdmin, TownshipID: 9}, want: true},
		{name: "Supervisor", actor: domain.Actor{UserID: 3, Role: domain.RoleSupervisor, TownshipID: 9}, want: true},
		{name: "HR", actor: domain.Actor{UserID: 4, Role: domain.RoleEnterpriseHR, TownshipID: 9, EnterpriseID: 5}, want: true},
		{name: "Worker", actor: domain.Actor{Role: domain.RoleWorker, TownshipID: 9, EnterpriseID: 5, WorkerID: 6}, want: true},
		{name: "NoTownship", actor: domain.Actor{UserID: 2, Role: domain.RoleTownAdmin}, want: false},
		{name: "UnknownRole", actor: domain.Actor{UserID: 2, Role: "auditor", TownshipID: 9}, want: false},
		{name: "ZeroActor", actor: domain.Actor{}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.actor.InTenant(); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUserActor(t *testing.T) {
	u := domain.User{ID: 7, Role: domain.RoleEnterpriseHR, TownshipID: 2, EnterpriseID: 5, Name: "王芳", Active: true}
	want := domain.Actor{UserID: 7, Role: domain.RoleEnterpriseHR, TownshipID: 2, EnterpriseID: 5}
	if got := u.Actor(); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestCanSeeEnterprise(t *testing.T) {
	const (
		townA, townB = int64(1), int64(2)
		supID        = int64(30)
	)
	ent := domain.Enterprise{ID: 100, TownshipID: townA, Supervisors: []domain.UserRef{{ID: 31}, {ID: supID}}}
	unassigned := domain.Enterprise{ID: 101, TownshipID: townA, Supervisors: []domain.UserRef{{ID: 31}}}
	// A supervisor ID listed on an enterprise of another township must not open it.
	otherTown := domain.Enterprise{ID: 200, TownshipID: townB, Supervisors: []domain.UserRef{{ID: supID}}}
	tests := []struct {
		name  string
		actor domain.Actor
		e     domain.Enterprise
		want  bool
	}{
		// The operator keeps townships, not what they run.
		{name: "PlatformAdmin", actor: domain.Actor{UserID: 1, Role: domain.RolePlatformAdmin}, e: otherTown, want: false},
		{name: "TownAdminSameTownship", actor: domain.Actor{UserID: 2, Role: domain.RoleTownAdmin, TownshipID: townA}, e: ent, want: true},
		{name: "TownAdminOtherTownship", actor: domain.Actor{UserID: 2, Role: domain.RoleTownAdmin, TownshipID: townA}, e: otherTown, want: false},
		{name: "SupervisorAssigned", actor: domain.Actor{UserID: supID, Role: domain.RoleSupervisor, TownshipID: townA}, e: ent, want: true},
		{name: "SupervisorUnassigned", actor: domain.Actor{UserID: supID, Role: domain.RoleSupervisor, TownshipID: townA}, e: unassigned, want: false},
		{name: "SupervisorAssignedOtherTownship", actor: domain.Actor{UserID: supID, Role: domain.RoleSupervisor, TownshipID: townA}, e: otherTown, want: false},
		{name: "SupervisorNoSupervisors", actor: domain.Actor{UserID: supID, Role: domain.RoleSupervisor, TownshipID: townA}, e: domain.Enterprise{ID: 102, TownshipID: townA}, want: false},
		{name: "HROwn", actor: domain.Actor{UserID: 40, Role: domain.RoleEnterpriseHR, TownshipID: townA, EnterpriseID: 100}, e: ent, want: true},
		{name: "HROther", actor: domain.Actor{UserID: 40, Role: domain.RoleEnterpriseHR, TownshipID: townA, EnterpriseID: 100}, e: unassigned, want: false},
		// A worker sees only themself, not even their own enterprise's record.
		{name: "WorkerOwn", actor: domain.Actor{Role: domain.RoleWorker, TownshipID: townA, EnterpriseID: 101, WorkerID: 5}, e: unassigned, want: false},
		{name: "WorkerOther", actor: domain.Actor{Role: domain.RoleWorker, TownshipID: townA, EnterpriseID: 101, WorkerID: 5}, e: ent, want: false},
		{name: "UnknownRole", actor: domain.Actor{UserID: 1, Role: "auditor", TownshipID: townA, EnterpriseID: 100}, e: ent, want: false},
		{name: "ZeroActor", actor: domain.Actor{}, e: ent, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.CanSeeEnterprise(tt.actor, tt.e); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEnterpriseSupervisedBy(t *testing.T) {
	e := domain.Enterprise{Supervisors: []domain.UserRef{{ID: 3}, {ID: 5}}}
	for id, want := range map[int64]bool{3: true, 5: true, 4: false, 0: false} {
		if got := e.SupervisedBy(id); got != want {
			t.Errorf("SupervisedBy(%d): got %v, want %v", id, got, want)
		}
	}
}

func TestStatusAndRiskValid(t *testing.T) {
	for _, s := range []domain.EnterpriseStatus{domain.StatusNotApplied, domain.StatusApplied, domain.StatusApproved, domain.StatusReopened, domain.StatusSuspended} {
		if !s.Valid() {
			t.Errorf("status %q: got Valid false, want true", s)
		}
	}
	for _, s := range []domain.EnterpriseStatus{"", "closed", "Approved"} {
		if s.Valid() {
			t.Errorf("status %q: got Valid true, want false", s)
		}
	}
	for _, r := range []domain.RiskLevel{domain.RiskHigh, domain.RiskMedium, domain.RiskLow} {
		if !r.Valid() {
			t.Errorf("risk %q: got Valid false, want true", r)
		}
	}
	for _, r := range []domain.RiskLevel{"", "none", "HIGH"} {
		if r.Valid() {
			t.Errorf("risk %q: got Valid true, want false", r)
		}
	}
}

func TestTownshipZoneNamed(t *testing.T) {
	tw := domain.Township{Zones: []domain.Zone{{ID: 1, Name: "一区"}, {ID: 2, Name: "二区"}}}
	t.Run("OK", func(t *testing.T) {
		z, ok := tw.ZoneNamed("二区")
		if !ok || z.ID != 2 {
			t.Fatalf("got %+v, %v, want zone 2, true", z, ok)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		z, ok := tw.ZoneNamed("三区")
		if ok || z != (domain.Zone{}) {
			t.Fatalf("got %+v, %v, want zero zone, false", z, ok)
		}
	})
}
