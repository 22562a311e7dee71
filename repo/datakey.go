package repo

import (
	"context"
	"errors"
	"fmt"

	"fugong/pii"
)

// canaryPurpose and canaryText are what the data key canary seals.
const (
	canaryPurpose = "data_key_canary"
	canaryText    = "fugong"
)

// ErrDataKey is what CheckDataKey says of a key that does not open the data already sealed.
var ErrDataKey = errors.New("FUGONG_DATA_KEY does not open the personal data this database holds: " +
	"it is not the key the data was sealed with; start with that key (FUGONG_DATA_KEY or FUGONG_DATA_KEY_FILE)")

// CheckDataKey makes sure box's key is the database's: the canary sealed the first time a
// key met the database opens with it. A database with no canary yet takes this key's, after
// checking it against a worker's sealed ID number if it holds any (databases from before the
// canary). Replicas starting at once agree: the first canary written wins, and each checks
// the one there.
func (db *DB) CheckDataKey(ctx context.Context, box *pii.Box) error {
	var sealed []string
	if err := db.gorm.WithContext(ctx).Raw("SELECT sealed FROM data_key_canary WHERE id = 1").Scan(&sealed).Error; err != nil {
		return fmt.Errorf("data key canary: %w", err)
	}
	if len(sealed) == 0 {
		var ids []string
		if err := db.gorm.WithContext(ctx).Raw("SELECT id_number_sealed FROM workers ORDER BY id LIMIT 1").Scan(&ids).Error; err != nil {
			return fmt.Errorf("data key canary: %w", err)
		}
		if len(ids) > 0 {
			if _, err := box.Open(ids[0], idPurpose); err != nil {
				return ErrDataKey
			}
		}
		err := db.gorm.WithContext(ctx).Exec("INSERT INTO data_key_canary (id, sealed) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
			box.Seal(canaryText, canaryPurpose)).Error
		if err != nil {
			return fmt.Errorf("data key canary: %w", err)
		}
		return db.CheckDataKey(ctx, box)
	}
	if plain, err := box.Open(sealed[0], canaryPurpose); err != nil || plain != canaryText {
		return ErrDataKey
	}
	return nil
}
