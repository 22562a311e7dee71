package repo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// sqliteGateRole is SQLite's migration 00019 (PostgreSQL's is the SQL file of that number):
// users may take the role gate (门岗, issue 19). SQLite cannot change a CHECK constraint, so
// users is rebuilt, and users is referenced by many tables, some with ON DELETE CASCADE: with
// foreign keys enforced, dropping the old table would delete every supervisor's assignments.
// SQLite's own procedure for this (https://www.sqlite.org/lang_altertable.html, "Making Other
// Kinds Of Table Schema Changes") turns foreign keys off, which a transaction cannot do, so
// this runs outside goose's transaction, on one connection of its own, in a transaction of
// its own, and checks every foreign key before it commits. It is Go, not SQL, for that one
// connection: goose would run a file's statements on whichever connection the pool gave.
func sqliteGateRole() *goose.Migration {
	up := func(roles string) func(ctx context.Context, db *sql.DB) error {
		return func(ctx context.Context, db *sql.DB) error { return rebuildUsers(ctx, db, roles) }
	}
	return goose.NewGoMigration(19,
		&goose.GoFunc{RunDB: up(rolesOf19)},
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			// As PostgreSQL's Down: guards become disabled HR accounts, signed out.
			if _, err := db.ExecContext(ctx, `UPDATE users SET role = 'enterprise_hr', active = FALSE,
				token_generation = token_generation + 1 WHERE role = 'gate'`); err != nil {
				return err
			}
			return rebuildUsers(ctx, db, `'platform_admin', 'town_admin', 'supervisor', 'enterprise_hr'`)
		}})
}

// The roles users admits, by migration: 00019 added gate, 00021 viewer.
const (
	rolesOf19 = `'platform_admin', 'town_admin', 'supervisor', 'enterprise_hr', 'gate'`
	rolesOf21 = rolesOf19 + `, 'viewer'`
)

// sqliteViewerRole is SQLite's migration 00021 (PostgreSQL's is the SQL file of that number):
// users may take the role viewer (a wall screen, 大屏, issue 21). The table is rebuilt as for
// 00019 (sqliteGateRole says why, and why in Go). No trigger sits on users (00020's is on
// alerts), so the rebuild has none to make again.
func sqliteViewerRole() *goose.Migration {
	return goose.NewGoMigration(21,
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error { return rebuildUsers(ctx, db, rolesOf21) }},
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			// As PostgreSQL's Down: wall screens become disabled supervisors of no enterprise,
			// signed out.
			if _, err := db.ExecContext(ctx, `UPDATE users SET role = 'supervisor', active = FALSE,
				token_generation = token_generation + 1 WHERE role = 'viewer'`); err != nil {
				return err
			}
			return rebuildUsers(ctx, db, rolesOf19)
		}})
}

// usersTable is the users table as migrations 00001 and 00014 made it, with roles for its CHECK.
const usersTable = `CREATE TABLE users_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    username         TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    phone            TEXT NOT NULL DEFAULT '',
    role             TEXT NOT NULL CHECK (role IN (ROLES)),
    township_id      INTEGER REFERENCES townships (id),
    enterprise_id    INTEGER REFERENCES enterprises (id),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash    TEXT NOT NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    token_generation INTEGER NOT NULL DEFAULT 0
)`

func rebuildUsers(ctx context.Context, db *sql.DB, roles string) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	// The connection goes back to the pool: foreign keys on again whatever happened.
	defer func() {
		if _, e := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); e != nil && err == nil {
			err = e
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	for _, q := range []string{
		strings.Replace(usersTable, "ROLES", roles, 1),
		`INSERT INTO users_new (id, username, name, phone, role, township_id, enterprise_id, active, password_hash,
			created_at, updated_at, token_generation)
		 SELECT id, username, name, phone, role, township_id, enterprise_id, active, password_hash,
			created_at, updated_at, token_generation FROM users`,
		`DROP TABLE users`,
		`ALTER TABLE users_new RENAME TO users`,
		`CREATE INDEX users_township ON users (township_id, id)`,
		`CREATE INDEX users_enterprise ON users (enterprise_id)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild users: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	broken := rows.Next()
	if err := rows.Close(); err != nil {
		return err
	}
	if broken {
		return fmt.Errorf("rebuild users: a foreign key no longer holds")
	}
	return tx.Commit()
}
