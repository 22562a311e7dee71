package report

// kindsAhead runs a kindScanner on a goroutine of its own, up to kindsAheadRows rows ahead of
// excelize's iterator: the two read the same part side by side, on two cores, rather than one
// after the other. Scanning the kinds was an eighth of a 50,000-row import's wall time
// (BENCHMARKS.md).
type kindsAhead struct {
	rows    chan scannedRow
	verdict chan bool // the scanner's finish once it has read the part to its end
	stop    chan struct{}
	exited  chan struct{}
	last    scannedRow // the last row received; n is 0 before the first
	drained bool       // rows is closed: the scanner is at the end of the sheet data
}

// scannedRow is one row's number and its number and date cells.
type scannedRow struct {
	n     int
	kinds map[int]cellKind
}

// kindsAheadRows bounds how far the scanner runs ahead, and so the kinds held in memory.
const kindsAheadRows = 512

func startKindsAhead(s *kindScanner) *kindsAhead {
	a := &kindsAhead{rows: make(chan scannedRow, kindsAheadRows), verdict: make(chan bool, 1),
		stop: make(chan struct{}), exited: make(chan struct{})}
	go a.run(s)
	return a
}

// run scans every row and sends it, then reads what follows the rows and sends whether the
// sheet ended as it should.
func (a *kindsAhead) run(s *kindScanner) {
	defer close(a.exited)
	defer s.Close()
	for !s.done {
		s.readRow() // a map per row: a row's map is not written once it is sent
		if s.ahead == 0 {
			continue
		}
		select {
		case a.rows <- scannedRow{s.ahead, s.kinds}:
		case <-a.stop:
			return
		}
	}
	close(a.rows)
	a.verdict <- s.readRest(a.stop) // nobody reads it once stopped: the channel has room
}

// row returns the number and date cells of row n. Rows must be asked for in increasing order,
// as excelize's iterator yields them.
func (a *kindsAhead) row(n int) map[int]cellKind {
	for !a.drained && a.last.n < n {
		r, ok := <-a.rows
		if !ok {
			a.drained = true
			break
		}
		a.last = r
	}
	if a.last.n == n {
		return a.last.kinds
	}
	return nil
}

// finish reports whether the sheet ends after row last, the iterator's last, as a sheet
// should: no row element left, every element closed, the rows in order, nothing unreadable.
// excelize's iterator ends at the first thing its XML decoder cannot read (an unknown entity,
// invalid UTF-8, a mismatched end tag) without a word, so that without this check a damaged
// sheet would import the rows before the damage as if they were all.
func (a *kindsAhead) finish(last int) bool {
	if a.last.n > last {
		return false
	}
	for !a.drained {
		r, ok := <-a.rows
		if !ok {
			a.drained = true
			break
		}
		if r.n > last {
			return false
		}
	}
	return <-a.verdict
}

// Close stops the scanner and waits for it to let go of the part.
func (a *kindsAhead) Close() error {
	close(a.stop)
	<-a.exited
	return nil
}
