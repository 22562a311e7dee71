package domain

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// User is a staff account: platform admin, town admin, supervisor or enterprise HR. Workers
// are not users; they sign in with their enterprise code, phone and ID number.
type User struct {
	ID             int64
	Username       string
	Name           string
	Phone          string
	Role           Role
	TownshipID     int64
	EnterpriseID   int64
	Active         bool
	PasswordHash   string
	TownshipName   string // filled on reads, for display
	TownshipZone   string // filled on reads: the township's time zone, whose dates the UI shows
	EnterpriseName string // filled on reads, for display
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Generation counts the times every access token of the account was ended at once (a
	// password change or reset, a logout, a disabled account, a stolen refresh token): a token
	// carries the generation it was issued in, and one of an earlier generation is refused.
	Generation int64
}

// Actor returns the identity the user acts with once signed in.
func (u User) Actor() Actor {
	return Actor{UserID: u.ID, Role: u.Role, TownshipID: u.TownshipID, EnterpriseID: u.EnterpriseID, Generation: u.Generation}
}

// UserFilter selects users; zero fields do not filter.
type UserFilter struct {
	TownshipID   int64
	EnterpriseID int64
	Role         Role
	Query        string // part of the username or name
	Page
}

// UserStore keeps staff accounts.
type UserStore interface {
	// Create inserts u and sets its ID. ErrConflict if the username is taken.
	Create(ctx context.Context, u *User) error
	// Get returns one user. ErrNotFound.
	Get(ctx context.Context, id int64) (User, error)
	// GetByUsername returns the user with that (lower-case) username. ErrNotFound.
	GetByUsername(ctx context.Context, username string) (User, error)
	// List returns the users that match f, ordered by ID, and how many match in all.
	List(ctx context.Context, f UserFilter) ([]User, int, error)
	// Update saves name, phone, password hash, active and enterprise. ErrNotFound.
	Update(ctx context.Context, u User) error
	// BumpGeneration moves the user to the next token generation (User.Generation), in one
	// statement, so that two at once both count. ErrNotFound.
	BumpGeneration(ctx context.Context, id int64) error
}

// NewUser is what a town admin gives to create a staff account.
type NewUser struct {
	Username     string
	Password     string
	Role         Role
	Name         string
	Phone        string
	TownshipID   int64 // taken from the actor for town admins; platform admins name it
	EnterpriseID int64 // required for enterprise HR
	// Reason says why the account is made. The platform admin must give one (a town admin
	// account opens the township's rosters to whoever holds it): the township's audit log and
	// its town admins' notices show it. Town admins may give one.
	Reason string
}

// UserUpdate changes the fields that are set.
type UserUpdate struct {
	Name     *string
	Phone    *string
	Password *string
	// CurrentPassword must come with a new Password when users change their own: whoever holds
	// a stolen access token does not know it, and cannot lock the owner out for good.
	CurrentPassword *string
	Active          *bool
	EnterpriseID    *int64
	// Role and TownshipID never change: an account keeps the role and township it was made
	// with, and another account is made instead. They are read so that a request to change
	// them is refused by name rather than ignored.
	Role       *Role
	TownshipID *int64
	// Reason is no field of the account but why it is changed: required of the platform admin
	// for a town admin's new password (an account recovery), recorded with the change when given.
	Reason string
}

// MaxReason is the longest reason an account change may give, in characters: a sentence or
// two, as the audit log and a notice show it.
const MaxReason = 200

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{2,31}$`)

// UserService manages staff accounts: a town admin those of their township, the platform admin
// the town admins of every township; every staff user their own.
type UserService struct {
	users       UserStore
	enterprises EnterpriseStore
	townships   TownshipStore
	passwords   PasswordHasher
	sessions    RefreshTokenStore
	audits      AuditStore
	tx          TxRunner
	clock       Clock
	// attempts counts wrong current passwords, so that a stolen access token cannot be used to
	// guess its owner's password faster than the sign-in page allows: MaxFailures per
	// FailureWindow, as there.
	attempts      LoginAttemptStore
	maxFailures   int
	failureWindow time.Duration
	// notices tells a township's town admins when the platform admin makes or resets a town
	// admin account of theirs.
	notices NoticeStore
}

func (s *UserService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// Label is the role as a township calls it.
func (r Role) Label() string {
	return map[Role]string{
		RolePlatformAdmin: "平台管理员", RoleTownAdmin: "镇专班管理员", RoleSupervisor: "驻厂监督员",
		RoleEnterpriseHR: "企业人事", RoleWorker: "返岗职工",
		RoleGate: "门岗", RoleViewer: "大屏",
	}[r]
}

// createAudited creates an account and records who did, in one transaction; a town admin made
// by the platform admin is also told to the township's other town admins.
func (s *UserService) createAudited(ctx context.Context, actor Actor, in NewUser) (User, error) {
	var u User
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.create(ctx, in, ""); err != nil {
			return err
		}
		if err := s.audit().record(ctx, actor, u.TownshipID, u.EnterpriseID, "user.create", "user", u.ID,
			withReason("创建"+u.Role.Label()+"账号 "+u.Username, in.Reason)); err != nil {
			return err
		}
		if actor.Is(RolePlatformAdmin) && u.Role == RoleTownAdmin {
			return s.notifyTownAdmins(ctx, actor, NoticeTownAdminCreated, u, in.Reason)
		}
		return nil
	})
	return u, err
}

// withReason adds the reason given for a change to its audit detail.
func withReason(detail, reason string) string {
	if reason == "" {
		return detail
	}
	return detail + ";理由:" + reason
}

// checkReason validates the reason given for an account change in place: required when the
// platform admin makes a town admin or gives one a new password, at most MaxReason characters
// always.
func checkReason(p *Problems, reason *string, required bool) {
	*reason = Clean(*reason)
	switch {
	case required && *reason == "":
		p.Add("reason", "平台管理员创建镇管理员账号或重置其密码须说明理由(如:原管理员调离,经镇政府书面申请),理由将通知该镇的镇管理员")
	case utf8.RuneCountInString(*reason) > MaxReason:
		p.Add("reason", "理由太长(最多 "+strconv.Itoa(MaxReason)+" 个字)")
	}
}

// notifyTownAdmins tells the active town admins of subject's township that the platform admin
// made (the new account itself is not told) or reset (the account reset is told too: it may be
// the township's only one, and its owner, signed in again, learns who changed it) a town admin
// account, and why. In the caller's transaction: no recovery without its notice.
func (s *UserService) notifyTownAdmins(ctx context.Context, actor Actor, kind NoticeKind, subject User, reason string) error {
	admins, _, err := s.users.List(ctx, UserFilter{TownshipID: subject.TownshipID, Role: RoleTownAdmin, Page: Page{Limit: MaxPageSize}})
	if err != nil {
		return err
	}
	now := s.clock.Now()
	var ns []Notice
	for _, a := range admins {
		if !a.Active || (kind == NoticeTownAdminCreated && a.ID == subject.ID) {
			continue
		}
		ns = append(ns, Notice{UserID: a.ID, TownshipID: subject.TownshipID, Kind: kind, ActorID: actor.UserID,
			SubjectID: subject.ID, Reason: reason, CreatedAt: now})
	}
	if len(ns) == 0 {
		return nil
	}
	return s.notices.Create(ctx, ns)
}

// Create makes a supervisor, enterprise HR, gate, wall screen (viewer) or town admin account in
// the actor's township; enterprise HR makes only gate accounts, of its own enterprise.
// ErrForbidden, ErrInvalid, ErrConflict (username taken).
func (s *UserService) Create(ctx context.Context, actor Actor, in NewUser) (User, error) {
	if !actor.Is(RoleTownAdmin, RolePlatformAdmin, RoleEnterpriseHR) {
		return User{}, Forbidden("只有镇专班管理员可以创建账号")
	}
	if actor.Is(RoleTownAdmin, RoleEnterpriseHR) {
		in.TownshipID = actor.TownshipID
	}
	if actor.Is(RoleEnterpriseHR) {
		in.EnterpriseID = actor.EnterpriseID // its guards are its own
	}
	var p Problems
	checkNewUserFields(&p, &in, "")
	switch {
	case p.Has("role"):
	case actor.Is(RolePlatformAdmin) && in.Role != RoleTownAdmin:
		// The operator opens a township's way in; who supervises and who keeps a roster there
		// is the town's business.
		p.Add("role", "平台管理员只能创建镇管理员账号(town_admin)")
	case actor.Is(RoleEnterpriseHR) && in.Role != RoleGate:
		p.Add("role", "企业人事只能创建门岗账号(gate)")
	case !slices.Contains(townRoles, in.Role):
		p.Add("role", "角色应为 town_admin、supervisor、enterprise_hr、gate 或 viewer")
	}
	if in.TownshipID == 0 {
		p.Add("township_id", "请选择乡镇")
	}
	checkReason(&p, &in.Reason, actor.Is(RolePlatformAdmin))
	if err := p.Err(); err != nil {
		return User{}, err
	}
	if actor.Is(RolePlatformAdmin) {
		if _, err := s.townships.Get(ctx, in.TownshipID); errors.Is(err, ErrNotFound) {
			return User{}, Invalid("township_id", "所选乡镇不存在")
		} else if err != nil {
			return User{}, err
		}
	}
	return s.createAudited(ctx, actor, in)
}

// townRoles are the accounts a town admin makes in their township. A wall screen's (viewer)
// is the town's: it shows the township's figures, so only the town decides who may.
var townRoles = []Role{RoleTownAdmin, RoleSupervisor, RoleEnterpriseHR, RoleGate, RoleViewer}

// create checks the enterprise link, hashes the password and inserts; the caller has
// validated the fields. prefix names fields in errors ("admin_" when opening a township).
func (s *UserService) create(ctx context.Context, in NewUser, prefix string) (User, error) {
	if err := s.checkEnterprise(ctx, in.Role, in.TownshipID, &in.EnterpriseID, prefix); err != nil {
		return User{}, err
	}
	hash, err := s.passwords.Hash(in.Password)
	if err != nil {
		return User{}, err
	}
	u := User{
		Username: in.Username, Name: in.Name, Phone: in.Phone, Role: in.Role,
		TownshipID: in.TownshipID, EnterpriseID: in.EnterpriseID, Active: true, PasswordHash: hash,
	}
	if err := s.users.Create(ctx, &u); err != nil {
		return User{}, conflictField(err, prefix+"username", "用户名 "+u.Username+" 已被使用")
	}
	return s.users.Get(ctx, u.ID)
}

// checkEnterprise makes sure that HR and gate accounts point at an enterprise of their
// township and that no other role points at one.
func (s *UserService) checkEnterprise(ctx context.Context, role Role, townshipID int64, id *int64, prefix string) error {
	if role != RoleEnterpriseHR && role != RoleGate {
		*id = 0
		return nil
	}
	if *id == 0 {
		return Invalid(prefix+"enterprise_id", role.Label()+"账号必须选择所属企业")
	}
	e, err := s.enterprises.Get(ctx, *id)
	if errors.Is(err, ErrNotFound) || (err == nil && e.TownshipID != townshipID) {
		return Invalid(prefix+"enterprise_id", "所选企业不存在")
	}
	return err
}

// Bootstrap creates a platform admin without an actor: it is how the first account of an
// installation comes to be (`fugong user create`). ErrInvalid, ErrConflict.
func (s *UserService) Bootstrap(ctx context.Context, username, password, name string) (User, error) {
	in := NewUser{Username: username, Password: password, Name: name, Role: RolePlatformAdmin}
	if Clean(in.Name) == "" {
		in.Name = "平台管理员"
	}
	var p Problems
	checkNewUserFields(&p, &in, "")
	if err := p.Err(); err != nil {
		return User{}, err
	}
	return s.createAudited(ctx, Actor{}, in) // recorded with no actor: the command line
}

// Get returns the actor's own account, or one the actor manages (manages). ErrNotFound,
// ErrForbidden.
func (s *UserService) Get(ctx context.Context, actor Actor, id int64) (User, error) {
	if actor.UserID == id && actor.Role != RoleWorker {
		return s.users.Get(ctx, id)
	}
	if !actor.Is(RoleTownAdmin, RolePlatformAdmin, RoleEnterpriseHR) {
		return User{}, Forbidden("无权查看账号")
	}
	u, err := s.users.Get(ctx, id)
	if err != nil {
		return User{}, err
	}
	if !manages(actor, u) {
		return User{}, NotFound("账号")
	}
	return u, nil
}

// manages is the scope rule for other people's accounts: a town admin manages every account
// of their township, the platform admin the town admins of every township, enterprise HR the
// gate accounts of its enterprise, and nobody else any. The supervisors' and HR accounts,
// with their names and phones, are a township's own.
func manages(actor Actor, u User) bool {
	switch actor.Role {
	case RoleTownAdmin:
		return actor.InTownship(u.TownshipID)
	case RolePlatformAdmin:
		return u.Role == RoleTownAdmin
	case RoleEnterpriseHR:
		return u.Role == RoleGate && actor.InTownship(u.TownshipID) && u.EnterpriseID == actor.EnterpriseID
	}
	return false
}

// List returns the accounts the actor manages (manages) that match f. ErrForbidden, ErrInvalid
// (the platform admin asking for another role than town admins).
func (s *UserService) List(ctx context.Context, actor Actor, f UserFilter) ([]User, int, error) {
	switch actor.Role {
	case RoleTownAdmin:
		f.TownshipID = actor.TownshipID
	case RolePlatformAdmin:
		if f.Role != "" && f.Role != RoleTownAdmin {
			return nil, 0, Invalid("role", "平台管理员只能查看镇管理员账号")
		}
		f.Role = RoleTownAdmin
	case RoleEnterpriseHR:
		f.TownshipID, f.EnterpriseID, f.Role = actor.TownshipID, actor.EnterpriseID, RoleGate
	default:
		return nil, 0, Forbidden("无权查看账号列表")
	}
	f.Query = Clean(f.Query)
	f.Page = f.Page.Normalize()
	return s.users.List(ctx, f)
}

// Update changes an account: a manager's (manages), or the actor's own. Disabling an account
// or changing its password also ends its sessions: its refresh tokens are revoked and its
// access tokens refused from then on (User.Generation). Nobody changes their own enabled state,
// enterprise, role or township (a township always keeps one way in, and a stolen token cannot
// widen its own reach), and nobody changes their own password without the current one.
// ErrNotFound, ErrForbidden, ErrInvalid, ErrTooManyRequests (too many wrong current passwords).
func (s *UserService) Update(ctx context.Context, actor Actor, id int64, up UserUpdate) (User, error) {
	self := actor.UserID == id
	// The platform admin's new password for a town admin is an account recovery: it lets the
	// operator into the township's rosters, so it needs a reason the township is told. Checked
	// before the account is read, so that the refusal is the same for every ID.
	recovery := up.Password != nil && !self && actor.Is(RolePlatformAdmin)
	var reason Problems
	if checkReason(&reason, &up.Reason, recovery); reason.Err() != nil {
		return User{}, reason.Err()
	}
	u, err := s.Get(ctx, actor, id)
	if err != nil {
		return User{}, err
	}
	before := u
	var p Problems
	if up.Name != nil {
		u.Name = Clean(*up.Name)
		checkText(&p, "name", "姓名", u.Name, 1, 32)
	}
	if up.Phone != nil {
		u.Phone = checkMobile(&p, "phone", *up.Phone, true)
	}
	endSessions := false
	if up.Password != nil {
		checkPassword(&p, "password", *up.Password)
		endSessions = true
	}
	if up.Active != nil && *up.Active != u.Active {
		if self {
			p.Add("active", "不能停用自己的账号")
		}
		u.Active = *up.Active
		endSessions = endSessions || !u.Active
	}
	if up.EnterpriseID != nil && *up.EnterpriseID != u.EnterpriseID {
		if self {
			p.Add("enterprise_id", "不能修改自己所属的企业")
		} else if actor.Is(RoleEnterpriseHR) {
			p.Add("enterprise_id", "门岗账号只能属于本企业")
		}
		u.EnterpriseID = *up.EnterpriseID
	}
	checkFixed(&p, self, u, up)
	if self && up.Password != nil {
		if err := s.checkCurrentPassword(ctx, actor, u, up.CurrentPassword, &p); err != nil {
			return User{}, err
		}
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	if err := s.checkEnterprise(ctx, u.Role, u.TownshipID, &u.EnterpriseID, ""); err != nil {
		return User{}, err
	}
	if up.Password != nil {
		if u.PasswordHash, err = s.passwords.Hash(*up.Password); err != nil {
			return User{}, err
		}
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.users.Update(ctx, u); err != nil {
			return err
		}
		if up.Password != nil {
			detail := map[bool]string{true: "本人修改密码", false: "管理员重置密码"}[self]
			if recovery {
				detail = "平台管理员重置密码"
			}
			if err := s.audit().record(ctx, actor, u.TownshipID, u.EnterpriseID, "user.password", "user", u.ID, withReason(detail, up.Reason)); err != nil {
				return err
			}
			if recovery {
				if err := s.notifyTownAdmins(ctx, actor, NoticeTownAdminPasswordReset, u, up.Reason); err != nil {
					return err
				}
			}
		}
		if endSessions {
			if err := s.sessions.RevokeUser(ctx, u.ID, s.clock.Now()); err != nil {
				return err
			}
			if err := s.users.BumpGeneration(ctx, u.ID); err != nil {
				return err
			}
		}
		// A password change has its own event above; user.update records the rest, if any.
		rest := up
		rest.Password = nil
		if change := userChange(before, u, rest); up.Password == nil || change != sentences() {
			if up.Password == nil {
				change = withReason(change, up.Reason) // with a password, its own event has the reason
			}
			return s.audit().record(ctx, actor, u.TownshipID, u.EnterpriseID, "user.update", "user", u.ID, change)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.users.Get(ctx, id)
}

// checkFixed refuses a change of role or township: sent with the account's own values they
// change nothing and pass, so that a client may send an account back as it read it.
func checkFixed(p *Problems, self bool, u User, up UserUpdate) {
	if up.Role != nil && *up.Role != u.Role {
		if self {
			p.Add("role", "不能修改自己的角色")
		} else {
			p.Add("role", "账号的角色不能修改,请停用此账号并新建一个")
		}
	}
	if up.TownshipID != nil && *up.TownshipID != u.TownshipID {
		p.Add("township_id", "账号不能转到其他乡镇")
	}
}

// checkCurrentPassword checks the current password a user gives to change their own. A wrong
// or missing one is a problem of the field current_password and an audit event; wrong ones
// also count against the user, and past MaxFailures in FailureWindow every further try is
// refused, right or wrong, until the window has passed. It returns an error only for that
// refusal or a store's failure.
func (s *UserService) checkCurrentPassword(ctx context.Context, actor Actor, u User, current *string, p *Problems) error {
	now := s.clock.Now()
	key := "current-password|" + strconv.FormatInt(u.ID, 10)
	n, err := s.attempts.Failures(ctx, key, now.Add(-s.failureWindow))
	if err != nil {
		return err
	}
	if n >= s.maxFailures {
		return &Error{Kind: ErrTooManyRequests, Message: "当前密码错误次数过多,请一分钟后再试"}
	}
	right := false
	if current != nil && *current != "" {
		if right, err = s.passwords.Check(ctx, u.PasswordHash, *current); err != nil {
			return err
		}
	}
	var detail string
	switch {
	case current == nil || *current == "":
		p.Add("current_password", "修改自己的密码须先输入当前密码")
		detail = "修改密码未提供当前密码"
	case !right:
		p.Add("current_password", "当前密码不正确")
		detail = "修改密码时当前密码错误"
		if err := s.attempts.RecordFailure(ctx, key, now, now.Add(-time.Hour)); err != nil {
			return err
		}
	default:
		return s.attempts.Clear(ctx, key)
	}
	return s.audit().record(ctx, actor, u.TownshipID, u.EnterpriseID, "user.password_refused", "user", u.ID, detail)
}

// userChange says what an update changed, without the values: a phone is personal data, a
// password a secret.
func userChange(before, after User, up UserUpdate) string {
	active := ""
	if before.Active != after.Active {
		active = map[bool]string{true: "启用账号", false: "停用账号"}[after.Active]
	}
	return sentences(active, labelIf(up.Password != nil, "重置密码"), fields(
		labelIf(before.Name != after.Name, "姓名"), labelIf(before.Phone != after.Phone, "电话"),
		labelIf(before.EnterpriseID != after.EnterpriseID, "所属企业"),
	))
}

// checkNewUserFields validates and normalises the fields of a new account in place.
func checkNewUserFields(p *Problems, in *NewUser, prefix string) {
	in.Username = strings.ToLower(Clean(in.Username))
	in.Name = Clean(in.Name)
	if !usernameRe.MatchString(in.Username) {
		p.Add(prefix+"username", "用户名应为 3–32 位小写字母、数字、点、横线或下划线,以字母或数字开头")
	}
	checkPassword(p, prefix+"password", in.Password)
	checkText(p, prefix+"name", "姓名", in.Name, 1, 32)
	in.Phone = checkMobile(p, prefix+"phone", in.Phone, true)
	if !in.Role.Valid() || in.Role == RoleWorker {
		p.Add(prefix+"role", "角色无效")
	}
}

func checkPassword(p *Problems, field, pw string) {
	switch {
	case len(pw) < 8:
		p.Add(field, "密码至少 8 位")
	case len(pw) > 72:
		p.Add(field, "密码最多 72 个字节")
	}
}
