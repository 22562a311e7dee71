-- The rules of the daily statistics as SQLite runs them (FIGURES.md says what each figure
-- means). Each rule is written here once for SQLite; repo/stats/postgres.sql holds
-- PostgreSQL's and domain/stats.go the Go twin, and one table of cases runs all three
-- (TestFigureRules). A change of a rule edits this file, postgres.sql and the Go twin: never a
-- copy in a migration.
--
-- The file is read into blocks (repo/stats_rules.go), each opened by a line of its own:
--
--   -- rule: NAME     SQL the stores put into their statements (repo/stats.go, checkins.go,
--                     people.go): a condition or list about a worker w on the day @d, or a
--                     whole statement. {{NAME}} inside a rule stands for another rule.
--   -- object: NAME   a trigger, one CREATE TRIGGER NAME statement. After the migrations,
--                     whenever this file changed or a migration ran, every trigger is dropped
--                     and created again in one transaction (SQLite has no CREATE OR REPLACE
--                     TRIGGER; rule_files, migration 00016, records the file applied), so that
--                     the database always runs this file's text.
--
-- The lines of comment that open a block are its documentation; the block's SQL follows.
-- Migrations keep the schema only. One that changes a table these triggers read drops them
-- first, as SQLite requires (they are created again afterwards); a trigger that leaves this
-- file is dropped by a migration.
--
-- SQLite has one writer at a time, so the triggers need no lock to see a worker's other slot;
-- its row triggers see a statement's rows one at a time, so a statement that changes both
-- slots of one person counts them right.

-- rule: back
-- Twin of back in domain/stats.go: the worker is marked back (not expected, not left) with an
-- arrival on or before the day.
(w.status NOT IN ('expected', 'left') AND w.arrived_on IS NOT NULL AND w.arrived_on <= @d)

-- rule: isolating
-- Twin of RosterFigures' isolating: back, and in isolation observation on the day (isolating,
-- or back at work with an isolation that has not ended yet).
({{back}} AND w.status IN ('isolating', 'on_duty') AND w.isolation_start IS NOT NULL
	AND w.isolation_start <= @d AND (w.status = 'isolating' OR COALESCE(w.isolation_until >= @d, FALSE)))

-- rule: due
-- Twin of domain.DueOn: due to report on the day, back and at work or isolating. The check-in
-- upsert stores it in checkins.due, and SnapshotRoster sets it again for today's rows.
({{back}} AND w.status IN ('on_duty', 'isolating'))

-- rule: roster_figures
-- Twin of domain.RosterFigures: the roster figures of the workers w on the day, summed, in the
-- order of daily_stats' columns roster, returned, on_duty, isolating, key_area, due.
SUM(CASE WHEN w.status <> 'left' THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{back}} THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{back}} AND w.status = 'on_duty' AND NOT {{isolating}} THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{isolating}} THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{back}} AND w.risk_level IN ('high', 'medium') THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{due}} THEN 1 ELSE 0 END)

-- rule: people_listed
-- Who the daily report's people sheets may list, of a worker w with the day's check-ins am and
-- pm (NULL without one): a superset of domain's sheetsOf, which decides. It leaves out those no
-- sheet can list, in a township at work most people: both check-ins in and normal, low risk,
-- never isolated.
(am.id IS NULL OR pm.id IS NULL OR am.had_fever OR pm.had_fever OR am.had_symptoms OR pm.had_symptoms
	OR NOT am.due OR NOT pm.due OR am.late OR pm.late
	OR w.risk_level IN ('high', 'medium') OR w.isolation_start IS NOT NULL)

-- rule: recount_zero
-- RecountActivity's first step: the activity figures of a township's days (@t, @from to @to)
-- back to nothing, for the next two to count again.
UPDATE daily_stats SET checkins_am = 0, checkins_pm = 0, late = 0, fever = 0, symptomatic = 0, unregistered = 0,
	alerts = 0, alerts_open = 0
WHERE township_id = @t AND date >= @from AND date <= @to

-- rule: recount_checkins
-- Twin of domain.ActivityFigures, counted from the rows: what the checkins_daily_stats_*
-- triggers below keep as check-ins come and go. Only due slots count as reports (and as late);
-- a person counts once a day for a kept fever, for kept symptoms, and as unregistered (not
-- due) whichever slot said so.
INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
SELECT township_id, enterprise_id, date, SUM(am), SUM(pm), SUM(lt), SUM(f), SUM(sym), SUM(u) FROM (
	SELECT township_id, enterprise_id, date, worker_id,
		SUM(CASE WHEN due AND slot = 'am' THEN 1 ELSE 0 END) AS am, SUM(CASE WHEN due AND slot = 'pm' THEN 1 ELSE 0 END) AS pm,
		SUM(CASE WHEN due AND late THEN 1 ELSE 0 END) AS lt,
		MAX(CASE WHEN had_fever THEN 1 ELSE 0 END) AS f, MAX(CASE WHEN had_symptoms THEN 1 ELSE 0 END) AS sym,
		MAX(CASE WHEN due THEN 0 ELSE 1 END) AS u
	FROM checkins WHERE township_id = @t AND date >= @from AND date <= @to
	GROUP BY township_id, enterprise_id, date, worker_id) per_worker
GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET checkins_am = excluded.checkins_am,
	checkins_pm = excluded.checkins_pm, late = excluded.late, fever = excluded.fever,
	symptomatic = excluded.symptomatic, unregistered = excluded.unregistered

-- rule: recount_alerts
-- The alerts of each day (alerts_new) counted from the rows: what the alerts_daily_stats_*
-- triggers keep.
INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
SELECT township_id, enterprise_id, date, COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
FROM alerts WHERE township_id = @t AND date >= @from AND date <= @to
GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET alerts = excluded.alerts, alerts_open = excluded.alerts_open

-- object: checkins_daily_stats_insert
-- Twin of domain.ActivityFigures, kept as check-ins come: a new check-in counts as a report of
-- its slot (due) and as late (due and late), and its person once a day for a kept fever, kept
-- symptoms and as unregistered (not due) unless their other slot already did. Its reading is
-- appended to checkin_readings.
CREATE TRIGGER checkins_daily_stats_insert AFTER INSERT ON checkins BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT NEW.township_id, NEW.enterprise_id, NEW.date, NEW.due AND NEW.slot = 'am', NEW.due AND NEW.slot = 'pm', NEW.due AND NEW.late,
        NEW.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_fever),
        NEW.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_symptoms),
        NOT NEW.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND NOT o.due)
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
    INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot, temperature, fever,
        symptoms, symptom_note, location, submitted_by, correction_note, at)
    VALUES (NEW.id, NEW.township_id, NEW.enterprise_id, NEW.worker_id, NEW.date, NEW.slot, NEW.temperature, NEW.fever,
        NEW.symptoms, NEW.symptom_note, NEW.location, NEW.submitted_by, NEW.correction_note, NEW.updated_at);
END;

-- object: checkins_daily_stats_delete
-- A removed check-in taken off its day as checkins_daily_stats_insert added it, except while
-- the retention removes old ones (a row in stats_frozen, only inside the retention's own
-- transaction, repo/retention.go): their days keep their figures.
CREATE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins
WHEN NOT EXISTS (SELECT 1 FROM stats_frozen) BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT OLD.township_id, OLD.enterprise_id, OLD.date, -(OLD.due AND OLD.slot = 'am'), -(OLD.due AND OLD.slot = 'pm'), -(OLD.due AND OLD.late),
        -(OLD.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_fever)),
        -(OLD.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_symptoms)),
        -(NOT OLD.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND NOT o.due))
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
END;

-- object: checkins_daily_stats_update
-- A check-in written again: the old row taken off its day and the new one added, as the two
-- triggers above do. A change of worker, day or slot (which the application never makes)
-- would be a delete and an insert.
CREATE TRIGGER checkins_daily_stats_update AFTER UPDATE ON checkins BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT OLD.township_id, OLD.enterprise_id, OLD.date, -(OLD.due AND OLD.slot = 'am'), -(OLD.due AND OLD.slot = 'pm'), -(OLD.due AND OLD.late),
        -(OLD.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_fever)),
        -(OLD.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_symptoms)),
        -(NOT OLD.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND NOT o.due))
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT NEW.township_id, NEW.enterprise_id, NEW.date, NEW.due AND NEW.slot = 'am', NEW.due AND NEW.slot = 'pm', NEW.due AND NEW.late,
        NEW.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_fever),
        NEW.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_symptoms),
        NOT NEW.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND NOT o.due)
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
END;

-- object: checkins_readings_update
-- A check-in written again appends its new reading. A row written again with the same
-- updated_at is not a new reading (the roster's change of due).
CREATE TRIGGER checkins_readings_update AFTER UPDATE ON checkins WHEN NEW.updated_at IS NOT OLD.updated_at BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot, temperature, fever,
        symptoms, symptom_note, location, submitted_by, correction_note, at)
    VALUES (NEW.id, NEW.township_id, NEW.enterprise_id, NEW.worker_id, NEW.date, NEW.slot, NEW.temperature, NEW.fever,
        NEW.symptoms, NEW.symptom_note, NEW.location, NEW.submitted_by, NEW.correction_note, NEW.updated_at);
END;

-- object: checkins_close_missed
-- A slot's first report after its cut-off (late) closes its missed-check-in alert by the
-- system, in the same transaction (the PostgreSQL function does the same; the alert records
-- it).
CREATE TRIGGER checkins_close_missed AFTER INSERT ON checkins WHEN NEW.late BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    UPDATE alerts SET status = 'resolved', note = '迟报已补报,系统自动关闭', handled_by = NULL, handled_at = NEW.created_at,
        taken_at = COALESCE(taken_at, NEW.created_at)
    WHERE worker_id = NEW.worker_id AND date = NEW.date AND slot = NEW.slot AND type = 'missed_checkin'
        AND status <> 'resolved';
END;

-- object: alerts_daily_stats_insert
-- The alerts of each day (alerts_new) and those of them still open, kept as alerts come,
-- change and go (this trigger and the next two); what recount_alerts counts from the rows.
CREATE TRIGGER alerts_daily_stats_insert AFTER INSERT ON alerts BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (NEW.township_id, NEW.enterprise_id, NEW.date, 1, NEW.status = 'open')
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;

-- object: alerts_daily_stats_update
CREATE TRIGGER alerts_daily_stats_update AFTER UPDATE ON alerts BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (NEW.township_id, NEW.enterprise_id, NEW.date, 1, NEW.status = 'open')
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;

-- object: alerts_daily_stats_delete
-- (The retention's removals stand aside, as for check-ins.)
CREATE TRIGGER alerts_daily_stats_delete AFTER DELETE ON alerts
WHEN NOT EXISTS (SELECT 1 FROM stats_frozen) BEGIN
    -- (repo/stats/sqlite.sql: edit it there, not here)
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
