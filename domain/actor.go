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
	// RoleGate is an enterprise's guard (门岗), whose account its HR makes: it scans passes and
	// records what it measures at the gate (issue 19), and nothing else.
	RoleGate Role = "gate"
	// RoleViewer is a wall screen's account (大屏, issue 21), which a town admin makes: it reads
	// the township's figures (the dashboard, its stream, the open alerts without names) and
	// nothing else, no personal data. It is read-only and long-lived: a wall PC signs in once.
	RoleViewer Role = "viewer"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RolePlatformAdmin, RoleTownAdmin, RoleSupervisor, RoleEnterpriseHR, RoleWorker, RoleGate, RoleViewer:
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
	EnterpriseID int64 // set for enterprise HR, gate accounts and workers
	WorkerID     int64 // set for workers
	// Generation is the account's token generation (User.Generation, Worker.Generation) when
	// the token was issued: a token of an earlier one is refused.
	Generation int64
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

// InTownship reports whether the actor may reach township id's own record and accounts:
// platform admins every township's (they open townships and keep their town admins),
// everybody else only their own. What a township runs (enterprises, rosters, check-ins and the
// rest) asks InTenant too.
func (a Actor) InTownship(id int64) bool {
	return a.Role == RolePlatformAdmin || (a.TownshipID != 0 && a.TownshipID == id)
}

// InTenant reports whether the actor works inside a township: everyone but the platform admin.
// The platform admin is the SaaS operator, who belongs to no tenant: it opens townships and
// keeps their town admin accounts, and reads none of a township's business (enterprises,
// plans, inspections, rosters, check-ins, alerts, its numbers), which holds the personal data
// of the township's people (DESIGN.md: no request may read another tenant's data).
func (a Actor) InTenant() bool {
	return a.Role != RolePlatformAdmin && a.Role.Valid() && a.TownshipID != 0
}

// tenantOnly refuses an actor outside every township, for a service about a township's
// business, and a wall screen's account (RoleViewer), which reads the township's figures and
// none of its records. Services call it before they read any record, so that the refusal is
// the same for a record that exists and one that does not. ErrForbidden.
func tenantOnly(a Actor) error {
	if a.Is(RoleViewer) {
		return viewerRefused()
	}
	if !a.InTenant() {
		return Forbidden("平台运营方不能查看乡镇的企业、职工和防疫数据")
	}
	return nil
}

// viewerRefused is the answer to a wall screen's account for anything but the figures.
func viewerRefused() error {
	return Forbidden("大屏账号只能查看全镇的统计数字")
}
