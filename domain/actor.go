package domain

// Role is what a signed-in person does on the platform; it decides what they may see and do.
type Role string

// The roles of DESIGN.md.
const (
	RolePlatformAdmin Role = "platform_admin"
	RoleTownAdmin     Role = "town_admin"
	RoleSupervisor    Role = "supervisor"
	RoleEnterpriseHR  Role = "enterprise_hr"
	RoleWorker        Role = "worker"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RolePlatformAdmin, RoleTownAdmin, RoleSupervisor, RoleEnterpriseHR, RoleWorker:
		return true
	}
	return false
}

// Actor is the verified identity behind a request. The API builds it from a checked token and
// passes it to every service call; services decide scope from it alone.
type Actor struct {
	UserID       int64
	Role         Role
	TownshipID   int64 // zero for platform admins
	EnterpriseID int64 // set for enterprise HR and workers
	WorkerID     int64 // set for workers
}

// Is reports whether the actor has one of roles.
func (a Actor) Is(roles ...Role) bool {
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}

// InTownship reports whether the actor may act inside township id at all: platform admins
// everywhere, everybody else only in their own.
func (a Actor) InTownship(id int64) bool {
	return a.Role == RolePlatformAdmin || (a.TownshipID != 0 && a.TownshipID == id)
}
