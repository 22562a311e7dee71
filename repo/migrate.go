package repo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies the migrations of the database's dialect that it has not had yet, then the
// statistics' functions and triggers of its file in repo/stats when that file changed or a
// migration ran (applyStatsRules); on an up-to-date database it does nothing. It returns how
// many migrations it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.migrator()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if err := db.applyStatsRules(ctx, len(res) > 0); err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// MigrationVersion returns the newest migration applied.
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := db.migrator()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

func (db *DB) migrator() (*goose.Provider, error) {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return nil, err
	}
	dir, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return nil, err
	}
	dialect := database.DialectPostgres
	if db.Dialect == SQLite {
		dialect = database.DialectSQLite3
	}
	var opts []goose.ProviderOption
	if db.Dialect == SQLite {
		opts = append(opts, goose.WithGoMigrations(sqliteGateRole(), sqliteViewerRole()))
	}
	return goose.NewProvider(dialect, sqlDB, dir, opts...)
}
