package repo

import "fugong/domain"

// Stores returns every domain store on db, ready for domain.NewServices.
func Stores(db *DB) domain.Stores {
	return domain.Stores{
		Townships:     &TownshipStore{DB: db},
		Users:         &UserStore{DB: db},
		Enterprises:   &EnterpriseStore{DB: db},
		RefreshTokens: &RefreshTokenStore{DB: db},
		LoginAttempts: &LoginAttemptStore{DB: db},
		Plans:         &PlanStore{DB: db},
		Inspections:   &InspectionStore{DB: db},
		Audit:         &AuditStore{DB: db},
		Tx:            db,
	}
}
