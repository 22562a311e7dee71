package repo

import (
	"fugong/domain"
	"fugong/pii"
)

// Stores returns every domain store on db with its default options, ready for
// domain.NewServices; box protects the personal identifiers they keep.
func Stores(db *DB, box *pii.Box) domain.Stores { return StoresWith(db, box, Options{}) }

// Options are the stores' own options; zero values take the defaults.
type Options struct {
	Checkins CheckinOptions
}

// StoresWith is Stores with options.
func StoresWith(db *DB, box *pii.Box, o Options) domain.Stores {
	return domain.Stores{
		Townships:     &TownshipStore{DB: db},
		Users:         &UserStore{DB: db},
		Enterprises:   &EnterpriseStore{DB: db},
		RefreshTokens: &RefreshTokenStore{DB: db},
		LoginAttempts: &LoginAttemptStore{DB: db},
		Plans:         &PlanStore{DB: db},
		Inspections:   &InspectionStore{DB: db},
		Audit:         &AuditStore{DB: db},
		Workers:       &WorkerStore{DB: db, Box: box},
		Checkins:      NewCheckinStore(db, o.Checkins),
		Alerts:        &AlertStore{DB: db},
		Stats:         &StatsStore{DB: db},
		Retention:     &RetentionStore{DB: db},
		Notices:       &NoticeStore{DB: db},
		Batches:       &BatchStore{DB: db},
		Shifts:        &ShiftStore{DB: db},
		Returns:       &ReturnStore{DB: db},
		Passes:        &PassStore{DB: db},
		SpotChecks:    &SpotCheckStore{DB: db},
		Channels:      &ChannelStore{DB: db, Box: box},
		Outbox:        &OutboxStore{DB: db},
		Tx:            db,
	}
}
