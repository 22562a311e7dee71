package demo

import (
	"context"
	"fmt"

	"fugong/domain"
)

// PIN is the sign-in PIN of the demo's enrolled workers, public like Password: the README
// gives it, the log does not (a log is kept and shipped; issue 16).
const PIN = "258036"

// enrolWorkers gives four in five of the workers who are back the demo PIN, as if they had
// enrolled on their phones; the rest still have to, so HR's roster shows both. The hash is one,
// made at the server's cost (see serverCost). One worker of hr1's enterprise had their PIN reset
// by HR, which the audit log shows.
func (s *seeder) enrolWorkers(ctx context.Context) error {
	hash, err := domain.PasswordHasher{}.Hash(PIN)
	if err != nil {
		return err
	}
	var reset int64
	err = s.stores.Tx.InTx(ctx, func(ctx context.Context) error {
		return s.stores.Workers.ForTownship(ctx, s.township.ID, func(ws []domain.Worker) error {
			for _, w := range ws {
				if w.Status == domain.WorkerExpected || w.Status == domain.WorkerLeft || w.ID%5 == 0 {
					continue
				}
				if _, err := s.stores.Workers.SetPIN(ctx, domain.WorkerPIN{WorkerID: w.ID, Hash: hash, SetAt: s.clock.now()}); err != nil {
					return fmt.Errorf("PIN of worker %d: %w", w.ID, err)
				}
				if reset == 0 && w.EnterpriseID == s.ents[0].ID {
					reset = w.ID
				}
			}
			return nil
		})
	})
	if err != nil || reset == 0 {
		return err
	}
	return s.svc.Auth.ResetWorkerPIN(ctx, s.hr[0], reset)
}
