package domain

import (
	"context"
	"time"
)

// WorkerStatus is where a returning worker stands.
type WorkerStatus string

// The worker statuses of DESIGN.md: expected → isolating → on_duty, and left, in_hospital.
const (
	WorkerExpected   WorkerStatus = "expected"    // on the roster, not back yet
	WorkerIsolating  WorkerStatus = "isolating"   // back, in isolation observation
	WorkerOnDuty     WorkerStatus = "on_duty"     // back at work
	WorkerLeft       WorkerStatus = "left"        // no longer with the enterprise
	WorkerInHospital WorkerStatus = "in_hospital" // being treated
)

// Valid reports whether s is a known status.
func (s WorkerStatus) Valid() bool {
	switch s {
	case WorkerExpected, WorkerIsolating, WorkerOnDuty, WorkerLeft, WorkerInHospital:
		return true
	}
	return false
}

// Label is the status as HR calls it.
func (s WorkerStatus) Label() string {
	return map[WorkerStatus]string{
		WorkerExpected: "待返岗", WorkerIsolating: "隔离观察", WorkerOnDuty: "在岗", WorkerLeft: "已离职",
		WorkerInHospital: "住院治疗",
	}[s]
}

// Worker is one person's file (一人一档) on an enterprise's roster. Birth date, sex and
// household region are not stored: they derive from the ID number.
type Worker struct {
	ID             int64
	TownshipID     int64
	EnterpriseID   int64
	EnterpriseName string // filled on reads
	Name           string
	IDNumber       IDNumber
	Phone          string
	Department     string
	// ShiftID is the worker's shift (班组), 0 for none; ShiftGroup is its name, filled on reads
	// and given by HR in forms and sheets (the service finds the shift by it).
	ShiftID    int64
	ShiftGroup string
	// BatchID is the return batch (错峰返岗批次) HR assigned the worker to, 0 for none;
	// BatchNumber and BatchDate are the batch's, filled on reads.
	BatchID         int64
	BatchNumber     int
	BatchDate       Date
	OriginRegion    string // GB/T 2260 code of where they return from
	ArrivedOn       Date   // zero while not back
	Transport       string // how they travelled back: 自驾, 火车 G1234, …
	KeyAreaExposure bool   // stayed in or passed through a key area in the last 14 days
	ContactHistory  bool   // contact with a confirmed or suspected case
	RiskLevel       RiskLevel
	RiskReason      string
	Status          WorkerStatus
	IsolationPlace  string
	IsolationStart  Date
	IsolationUntil  Date
	LeftOn          Date // the day HR recorded that they left; zero unless left
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Generation is the worker's token generation, as User.Generation: it moves on when the
	// worker signs out, a refresh token of theirs is stolen, or their sign-in is reset.
	Generation int64
}

// WorkerFilter selects workers; zero fields do not filter.
type WorkerFilter struct {
	TownshipID   int64
	EnterpriseID int64
	SupervisorID int64
	Status       WorkerStatus
	Risk         RiskLevel
	Phone        string   // exactly this phone number
	Query        string   // part of the name or phone, or a whole ID number
	QueryID      IDNumber // set by the service when Query is a valid ID number
	IDs          []int64  // only these workers
	Page
}

// WorkerStore keeps rosters. ID numbers are the store's to protect: it encrypts them at rest
// and keeps a keyed index for finding and deduplicating them.
type WorkerStore interface {
	// Create inserts a worker and sets its ID. ErrConflict if the enterprise has this person.
	Create(ctx context.Context, w *Worker) error
	// CreateMany inserts workers in batches (a roster import, a bulk load) and sets their IDs.
	// ErrConflict if the enterprise has one of these people.
	CreateMany(ctx context.Context, ws []Worker) error
	// Get returns one worker. ErrNotFound.
	Get(ctx context.Context, id int64) (Worker, error)
	// Standing returns only a worker's ID, township, enterprise, status and token generation:
	// what checking a token and taking a check-in need, without the join and the decryption of
	// a whole file. ErrNotFound.
	Standing(ctx context.Context, id int64) (Worker, error)
	// BumpGeneration moves the worker to the next token generation (Worker.Generation), in one
	// statement. ErrNotFound.
	BumpGeneration(ctx context.Context, id int64) error
	// List returns the matching workers by ID, and how many match in all.
	List(ctx context.Context, f WorkerFilter) ([]Worker, int, error)
	// Update saves every field but ID, township, enterprise and ID number. ErrNotFound.
	Update(ctx context.Context, w Worker) error
	// FindByIDNumbers returns the enterprise's workers with these ID numbers.
	FindByIDNumbers(ctx context.Context, enterpriseID int64, ids []IDNumber) (map[IDNumber]Worker, error)
	// ForTownship calls fn with each batch of a township's workers, for re-evaluation.
	ForTownship(ctx context.Context, townshipID int64, fn func([]Worker) error) error
	// DayPeople reads a township's workers with their check-ins of d, calls keep with each
	// (which may fill in its other fields) and returns the kept ones by enterprise and worker
	// ID, for the daily report's people sheets. It may pass over, unread, people no sheet
	// lists: both check-ins in, neither with a fever or symptoms, low risk, never isolated.
	// The workers carry ID, enterprise, name, ID number, phone, department, origin, arrival,
	// risk, status and isolation dates; the check-ins their readings.
	DayPeople(ctx context.Context, townshipID int64, d Date, keep func(*PersonDay) bool) ([]PersonDay, error)

	// PIN returns a worker's PIN hash. ErrNotFound: not enrolled (or reset since).
	PIN(ctx context.Context, workerID int64) (WorkerPIN, error)
	// SetPIN keeps a worker's PIN unless they have one; it reports whether it did.
	SetPIN(ctx context.Context, p WorkerPIN) (bool, error)
	// ClearPIN forgets a worker's PIN; it reports whether there was one.
	ClearPIN(ctx context.Context, workerID int64) (bool, error)
	// Assign sets the batch and/or the shift (whichever is non-nil; a pointer to 0 clears it) of
	// the enterprise's workers with these IDs, and returns how many it changed: workers of
	// another enterprise are left alone.
	Assign(ctx context.Context, enterpriseID int64, workerIDs []int64, batchID, shiftID *int64) (int, error)

	// Enrolled says which of the workers have a PIN.
	Enrolled(ctx context.Context, workerIDs []int64) (map[int64]bool, error)
}
