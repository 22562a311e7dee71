package repo

import (
	"bufio"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// The rules of the daily statistics live in one file per engine, repo/stats/postgres.sql and
// repo/stats/sqlite.sql (their heads say how they read), with their Go twin in domain/stats.go.
// Before, a change of a rule copied a 200-line trigger function into a new migration (00006,
// 00009 and 00011 each hold one) and its SQL twins sat in Go strings beside the statements:
// now a change edits the file, and the database is brought to the file's text after the
// migrations (applyStatsRules), which keep the schema only.
//
// Why the objects are applied at start rather than by a migration: a migration is a copy that
// stays, the next change copies it again, and the history then holds every version of a
// function but says nothing of which one runs. Why not at every start: CREATE OR REPLACE
// TRIGGER takes a lock on checkins and alerts that waits for the writes in flight and holds up
// those behind it, and a server starting beside others that take check-ins should not. So the
// file is applied when its digest differs from the one rule_files records, or when a migration
// ran (one may have dropped an object to change a table).

//go:embed stats/postgres.sql stats/sqlite.sql
var statsFiles embed.FS

// statsRules is one engine's file of statistics rules, read into its blocks.
type statsRules struct {
	file    string            // path in the repository, recorded in rule_files
	digest  string            // SHA-256 of the file, hex
	rules   map[string]string // "-- rule:" blocks, {{name}} expanded
	objects []statsObject     // "-- object:" blocks, in the file's order
}

// statsObject is a function or trigger the file creates.
type statsObject struct{ name, sql string }

// The rules of each engine, read once; a file that does not read stops the program at once
// (it is part of the binary, so any test finds it).
var (
	postgresStats = mustReadStats(Postgres)
	sqliteStats   = mustReadStats(SQLite)
)

// statsRulesOf returns the rules of an engine.
func statsRulesOf(d Dialect) *statsRules {
	if d == Postgres {
		return postgresStats
	}
	return sqliteStats
}

// stats returns the rules of the database's engine.
func (db *DB) stats() *statsRules { return statsRulesOf(db.Dialect) }

// rule returns the rule of that name, its documentation left out. A name the file lacks is a
// mistake in the program, which panics.
func (r *statsRules) rule(name string) string {
	s, ok := r.rules[name]
	if !ok {
		panic(fmt.Sprintf("%s: no rule %q", r.file, name))
	}
	return s
}

var (
	blockLine = regexp.MustCompile(`^-- (rule|object): ([a-z_]+)\s*$`)
	ruleRef   = regexp.MustCompile(`\{\{([a-z_]+)\}\}`)
)

func mustReadStats(d Dialect) *statsRules {
	name := "stats/" + string(d) + ".sql"
	b, err := statsFiles.ReadFile(name)
	if err == nil {
		var r *statsRules
		if r, err = parseStats("repo/"+name, string(b), d); err == nil {
			return r
		}
	}
	panic(err)
}

// parseStats reads a file of rules: its head, then blocks each opened by "-- rule: name" or
// "-- object: name", whose leading comment lines document them and are left out.
func parseStats(file, text string, d Dialect) (*statsRules, error) {
	sum := sha256.Sum256([]byte(text))
	r := &statsRules{file: file, digest: hex.EncodeToString(sum[:]), rules: map[string]string{}}
	type block struct {
		kind, name string
		lines      []string
	}
	var blocks []*block
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if m := blockLine.FindStringSubmatch(line); m != nil {
			blocks = append(blocks, &block{kind: m[1], name: m[2]})
			continue
		}
		if len(blocks) == 0 {
			continue // the file's head
		}
		b := blocks[len(blocks)-1]
		if len(b.lines) == 0 && (strings.HasPrefix(line, "--") || strings.TrimSpace(line) == "") {
			continue // the block's documentation
		}
		b.lines = append(b.lines, line)
	}
	raw := map[string]string{}
	for _, b := range blocks {
		sql := strings.TrimSpace(strings.Join(b.lines, "\n"))
		if sql == "" {
			return nil, fmt.Errorf("%s: %s %s is empty", file, b.kind, b.name)
		}
		if _, dup := raw[b.name]; dup {
			return nil, fmt.Errorf("%s: %s is written twice", file, b.name)
		}
		raw[b.name] = sql
		if b.kind == "rule" {
			continue
		}
		// The name is what SQLite's trigger is dropped by before it is created again, and
		// the object PostgreSQL replaces: the block must create exactly that.
		want := "CREATE TRIGGER " + b.name + " "
		if d == Postgres {
			want = "CREATE OR REPLACE "
		}
		if !strings.HasPrefix(sql, want) || !strings.Contains(strings.SplitN(sql, "\n", 2)[0], " "+b.name) {
			return nil, fmt.Errorf("%s: object %s must start %q and create %s", file, b.name, want, b.name)
		}
		r.objects = append(r.objects, statsObject{name: b.name, sql: sql})
	}
	for _, b := range blocks {
		if b.kind != "rule" {
			continue
		}
		sql, err := expand(raw, b.name, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		r.rules[b.name] = sql
	}
	return r, nil
}

// expand replaces each {{name}} in the rule by that rule, expanded in turn.
func expand(raw map[string]string, name string, depth int) (string, error) {
	if depth > 8 {
		return "", fmt.Errorf("rule %s: {{…}} nested too deep (a loop?)", name)
	}
	var err error
	out := ruleRef.ReplaceAllStringFunc(raw[name], func(ref string) string {
		inner := ruleRef.FindStringSubmatch(ref)[1]
		if _, ok := raw[inner]; !ok {
			err = fmt.Errorf("rule %s: no rule %s", name, inner)
			return ref
		}
		s, e := expand(raw, inner, depth+1)
		if e != nil {
			err = e
		}
		return s
	})
	return out, err
}

// statsRulesLock is the PostgreSQL advisory lock two servers starting together take to apply
// the rules one after the other: the second finds them applied (concurrent CREATE OR REPLACE
// of one function fails with "tuple concurrently updated").
const statsRulesLock = 20260217

// applyStatsRules brings the database's functions and triggers to the text of its engine's
// file, in one transaction: when the file's digest is not the one rule_files records, or when
// migrations were just applied (they may have dropped an object to change a table).
// PostgreSQL replaces each object; SQLite, which has no CREATE OR REPLACE TRIGGER, drops each
// trigger and creates it again.
func (db *DB) applyStatsRules(ctx context.Context, migrated bool) error {
	r := db.stats()
	err := db.InTx(ctx, func(ctx context.Context) error {
		tx := db.conn(ctx)
		if db.Dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", statsRulesLock).Error; err != nil {
				return err
			}
		}
		var applied []string
		if err := tx.Raw("SELECT sha256 FROM rule_files WHERE name = ?", r.file).Scan(&applied).Error; err != nil {
			return err
		}
		if len(applied) == 1 && applied[0] == r.digest && !migrated {
			return nil
		}
		pool := tx.Statement.ConnPool
		for _, o := range r.objects {
			if db.Dialect == SQLite {
				if _, err := pool.ExecContext(ctx, "DROP TRIGGER IF EXISTS "+o.name); err != nil {
					return fmt.Errorf("%s: %w", o.name, err)
				}
			}
			if _, err := pool.ExecContext(ctx, o.sql); err != nil {
				return fmt.Errorf("%s: %w", o.name, err)
			}
		}
		return tx.Exec(`INSERT INTO rule_files (name, sha256) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256`, r.file, r.digest).Error
	})
	if err != nil {
		return fmt.Errorf("apply %s: %w", r.file, err)
	}
	return nil
}
