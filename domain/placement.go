package domain

import "context"

// placement is what HR names a worker's shift by in forms and sheets: an enterprise's shifts
// by name. The roster keeps the shift's ID; a name that is none of the enterprise's shifts is
// the field's error.
type placement struct {
	shifts map[string]Shift
}

// placementOf loads an enterprise's shifts.
func (s *WorkerService) placementOf(ctx context.Context, enterpriseID int64) (placement, error) {
	shifts, err := s.shifts.ForEnterprise(ctx, enterpriseID)
	if err != nil {
		return placement{}, err
	}
	pl := placement{shifts: make(map[string]Shift, len(shifts))}
	for _, sh := range shifts {
		pl.shifts[sh.Name] = sh
	}
	return pl, nil
}

// placeShift sets w's shift by w.ShiftGroup, the name HR gave; empty is none.
func (pl placement) placeShift(w *Worker, p *Problems) {
	if w.ShiftGroup == "" {
		w.ShiftID = 0
		return
	}
	sh, ok := pl.shifts[w.ShiftGroup]
	if !ok {
		p.Add(ColShiftGroup, "本企业没有班组“"+w.ShiftGroup+"”,请先在“班组”中添加,或填写已有的班组")
		return
	}
	w.ShiftID = sh.ID
}
