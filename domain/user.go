package domain

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
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
}

// Actor returns the identity the user acts with once signed in.
func (u User) Actor() Actor {
	return Actor{UserID: u.ID, Role: u.Role, TownshipID: u.TownshipID, EnterpriseID: u.EnterpriseID}
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
}

// UserUpdate changes the fields that are set.
type UserUpdate struct {
	Name         *string
	Phone        *string
	Password     *string
	Active       *bool
	EnterpriseID *int64
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{2,31}$`)

// UserService manages staff accounts inside a township.
type UserService struct {
	Users       UserStore
	Enterprises EnterpriseStore
	Passwords   PasswordHasher
	Sessions    RefreshTokenStore
	Audit       AuditStore
	Tx          TxRunner
	Clock       Clock
}

func (s *UserService) audit() audit { return audit{store: s.Audit, clock: s.Clock} }

// Label is the role as a township calls it.
func (r Role) Label() string {
	return map[Role]string{
		RolePlatformAdmin: "平台管理员", RoleTownAdmin: "镇专班管理员", RoleSupervisor: "驻厂监督员",
		RoleEnterpriseHR: "企业人事", RoleWorker: "返岗职工",
	}[r]
}

// createAudited creates an account and records who did, in one transaction.
func (s *UserService) createAudited(ctx context.Context, actor Actor, in NewUser) (User, error) {
	var u User
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.create(ctx, in, ""); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, u.TownshipID, u.EnterpriseID, "user.create", "user", u.ID,
			"创建"+u.Role.Label()+"账号 "+u.Username)
	})
	return u, err
}

// Create makes a supervisor, enterprise HR or town admin account in the actor's township.
// ErrForbidden, ErrInvalid, ErrConflict (username taken).
func (s *UserService) Create(ctx context.Context, actor Actor, in NewUser) (User, error) {
	if !actor.Is(RoleTownAdmin, RolePlatformAdmin) {
		return User{}, Forbidden("只有镇专班管理员可以创建账号")
	}
	if actor.Is(RoleTownAdmin) {
		in.TownshipID = actor.TownshipID
	}
	var p Problems
	checkNewUserFields(&p, &in, "")
	switch in.Role {
	case RoleTownAdmin, RoleSupervisor, RoleEnterpriseHR:
	default:
		if !p.Has("role") {
			p.Add("role", "角色应为 town_admin、supervisor 或 enterprise_hr")
		}
	}
	if in.TownshipID == 0 {
		p.Add("township_id", "请选择乡镇")
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	return s.createAudited(ctx, actor, in)
}

// create checks the enterprise link, hashes the password and inserts; the caller has
// validated the fields. prefix names fields in errors ("admin_" when opening a township).
func (s *UserService) create(ctx context.Context, in NewUser, prefix string) (User, error) {
	if err := s.checkEnterprise(ctx, in.Role, in.TownshipID, &in.EnterpriseID, prefix); err != nil {
		return User{}, err
	}
	hash, err := s.Passwords.Hash(in.Password)
	if err != nil {
		return User{}, err
	}
	u := User{
		Username: in.Username, Name: in.Name, Phone: in.Phone, Role: in.Role,
		TownshipID: in.TownshipID, EnterpriseID: in.EnterpriseID, Active: true, PasswordHash: hash,
	}
	if err := s.Users.Create(ctx, &u); err != nil {
		return User{}, conflictField(err, prefix+"username", "用户名 "+u.Username+" 已被使用")
	}
	return s.Users.Get(ctx, u.ID)
}

// checkEnterprise makes sure that HR accounts point at an enterprise of their township and
// that no other role points at one.
func (s *UserService) checkEnterprise(ctx context.Context, role Role, townshipID int64, id *int64, prefix string) error {
	if role != RoleEnterpriseHR {
		*id = 0
		return nil
	}
	if *id == 0 {
		return Invalid(prefix+"enterprise_id", "企业人事账号必须选择所属企业")
	}
	e, err := s.Enterprises.Get(ctx, *id)
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

// Get returns one account the actor may manage. ErrNotFound, ErrForbidden.
func (s *UserService) Get(ctx context.Context, actor Actor, id int64) (User, error) {
	if actor.UserID == id && actor.Role != RoleWorker {
		return s.Users.Get(ctx, id)
	}
	if !actor.Is(RoleTownAdmin, RolePlatformAdmin) {
		return User{}, Forbidden("无权查看账号")
	}
	u, err := s.Users.Get(ctx, id)
	if err != nil {
		return User{}, err
	}
	if !actor.InTownship(u.TownshipID) {
		return User{}, NotFound("账号")
	}
	return u, nil
}

// List returns the accounts of the actor's township (all of them for a platform admin).
func (s *UserService) List(ctx context.Context, actor Actor, f UserFilter) ([]User, int, error) {
	if !actor.Is(RoleTownAdmin, RolePlatformAdmin) {
		return nil, 0, Forbidden("无权查看账号列表")
	}
	if actor.Is(RoleTownAdmin) {
		f.TownshipID = actor.TownshipID
	}
	f.Query = Clean(f.Query)
	f.Page = f.Page.Normalize()
	return s.Users.List(ctx, f)
}

// Update changes an account. Disabling an account or changing its password also ends its
// sessions. A town admin cannot disable themself, so a township always keeps one way in.
// ErrNotFound, ErrForbidden, ErrInvalid.
func (s *UserService) Update(ctx context.Context, actor Actor, id int64, up UserUpdate) (User, error) {
	u, err := s.Get(ctx, actor, id)
	if err != nil {
		return User{}, err
	}
	before := u
	self := actor.UserID == id
	if !self && !actor.Is(RoleTownAdmin, RolePlatformAdmin) {
		return User{}, Forbidden("无权修改账号")
	}
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
		if self && !*up.Active {
			p.Add("active", "不能停用自己的账号")
		}
		u.Active = *up.Active
		endSessions = endSessions || !u.Active
	}
	if up.EnterpriseID != nil && *up.EnterpriseID != u.EnterpriseID {
		if !actor.Is(RoleTownAdmin, RolePlatformAdmin) {
			p.Add("enterprise_id", "不能修改自己所属的企业")
		}
		u.EnterpriseID = *up.EnterpriseID
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	if err := s.checkEnterprise(ctx, u.Role, u.TownshipID, &u.EnterpriseID, ""); err != nil {
		return User{}, err
	}
	if up.Password != nil {
		if u.PasswordHash, err = s.Passwords.Hash(*up.Password); err != nil {
			return User{}, err
		}
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Users.Update(ctx, u); err != nil {
			return err
		}
		if endSessions {
			if err := s.Sessions.RevokeUser(ctx, u.ID, s.Clock.Now()); err != nil {
				return err
			}
		}
		return s.audit().record(ctx, actor, u.TownshipID, u.EnterpriseID, "user.update", "user", u.ID, userChange(before, u, up))
	})
	if err != nil {
		return User{}, err
	}
	return s.Users.Get(ctx, id)
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
