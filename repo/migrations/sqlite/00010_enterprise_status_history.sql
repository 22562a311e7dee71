-- SQLite twin of the PostgreSQL migration: the history of enterprise statuses, and its backfill
-- from enterprises, plans, reviews and the audit log (see the PostgreSQL file for the steps and
-- for what could not be recovered).
--
-- SQLite knows no time zones by name: a timestamp's local day is taken with the fixed offset
-- of the township's zone for the zones of China (UTC+8; Xinjiang time UTC+6, which none of them
-- ever shifts for summer time), and as the UTC day for any other zone, which may be a day off
-- near midnight. Dates are written in the form the driver writes DATE columns in
-- ('2020-02-10 00:00:00+00:00'), so that they compare as text.

-- +goose Up
CREATE TABLE enterprise_status_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    from_status   TEXT CHECK (from_status IN ('not_applied', 'applied', 'approved', 'reopened', 'suspended')),
    to_status     TEXT NOT NULL CHECK (to_status IN ('not_applied', 'applied', 'approved', 'reopened', 'suspended')),
    effective_on  DATE NOT NULL,
    changed_by    INTEGER REFERENCES users (id),
    reason        TEXT NOT NULL DEFAULT '',
    recorded_at   DATETIME NOT NULL
);
CREATE INDEX enterprise_status_changes_enterprise ON enterprise_status_changes (enterprise_id, effective_on, recorded_at, id);
CREATE INDEX enterprise_status_changes_township ON enterprise_status_changes (township_id, effective_on);

-- 1. Registration, no later than the first submission (see the PostgreSQL file). Timestamps
-- compare by julianday: their text differs in the digits of the fraction.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT e.township_id, e.id, NULL, 'not_applied',
    strftime('%Y-%m-%d 00:00:00+00:00', r.at, CASE
        WHEN t.timezone IN ('Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei') THEN '+8 hours'
        WHEN t.timezone IN ('Asia/Urumqi', 'Asia/Kashgar') THEN '+6 hours' ELSE '+0 hours' END),
    NULL, '登记企业(迁移补记)', r.at
FROM enterprises e JOIN townships t ON t.id = e.township_id
JOIN (SELECT e2.id, CASE WHEN s.first IS NOT NULL AND julianday(s.first) < julianday(e2.created_at)
                         THEN s.first ELSE e2.created_at END AS at
      FROM enterprises e2
      LEFT JOIN (SELECT enterprise_id, MIN(submitted_at) AS first FROM reopening_plans GROUP BY enterprise_id) s
          ON s.enterprise_id = e2.id) r ON r.id = e.id
ORDER BY e.id;

-- 2. The first submission of a plan.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT p.township_id, p.enterprise_id, 'not_applied', 'applied',
    strftime('%Y-%m-%d 00:00:00+00:00', p.submitted_at, CASE
        WHEN t.timezone IN ('Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei') THEN '+8 hours'
        WHEN t.timezone IN ('Asia/Urumqi', 'Asia/Kashgar') THEN '+6 hours' ELSE '+0 hours' END),
    (SELECT a.actor_id FROM audit_events a JOIN users u ON u.id = a.actor_id
     WHERE a.action = 'plan.submit' AND a.entity_type = 'plan' AND a.entity_id = p.id ORDER BY a.id LIMIT 1),
    '提交第 ' || p.version || ' 版复工方案(迁移补记)', p.submitted_at
FROM reopening_plans p JOIN townships t ON t.id = p.township_id
WHERE p.submitted_at IS NOT NULL AND p.id = (
    SELECT f.id FROM reopening_plans f WHERE f.enterprise_id = p.enterprise_id AND f.submitted_at IS NOT NULL
    ORDER BY f.submitted_at, f.id LIMIT 1)
ORDER BY p.enterprise_id;

-- 3. The approval.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT p.township_id, p.enterprise_id, 'applied', 'approved',
    strftime('%Y-%m-%d 00:00:00+00:00', r.reviewed_at, CASE
        WHEN t.timezone IN ('Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei') THEN '+8 hours'
        WHEN t.timezone IN ('Asia/Urumqi', 'Asia/Kashgar') THEN '+6 hours' ELSE '+0 hours' END),
    r.reviewer_id, '批准第 ' || p.version || ' 版复工方案(迁移补记)', r.reviewed_at
FROM plan_reviews r JOIN reopening_plans p ON p.id = r.plan_id JOIN townships t ON t.id = p.township_id
WHERE r.decision = 'approved'
ORDER BY p.enterprise_id, r.reviewed_at;

-- 4. The reopening (SQLite has no LATERAL: the audit event is looked up by column).
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT e.township_id, e.id, 'approved', 'reopened', strftime('%Y-%m-%d 00:00:00+00:00', e.reopened_on),
    (SELECT a.actor_id FROM audit_events a JOIN users u ON u.id = a.actor_id
     WHERE a.action = 'enterprise.reopen' AND a.entity_type = 'enterprise' AND a.entity_id = e.id ORDER BY a.id DESC LIMIT 1),
    '确认复工(迁移补记)',
    COALESCE((SELECT a.created_at FROM audit_events a
              WHERE a.action = 'enterprise.reopen' AND a.entity_type = 'enterprise' AND a.entity_id = e.id ORDER BY a.id DESC LIMIT 1),
             e.updated_at)
FROM enterprises e
WHERE e.reopened_on IS NOT NULL
ORDER BY e.id;

-- 5. The status now, where the steps above do not end there.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT e.township_id, e.id, c.to_status, e.status,
    max(c.effective_on, strftime('%Y-%m-%d 00:00:00+00:00', e.updated_at, CASE
        WHEN t.timezone IN ('Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei') THEN '+8 hours'
        WHEN t.timezone IN ('Asia/Urumqi', 'Asia/Kashgar') THEN '+6 hours' ELSE '+0 hours' END)),
    NULL, '迁移时的当前状态(变更日期、原因和操作人无从查考)', max(c.recorded_at, e.updated_at)
FROM enterprises e JOIN townships t ON t.id = e.township_id
JOIN enterprise_status_changes c ON c.id = (
    SELECT l.id FROM enterprise_status_changes l WHERE l.enterprise_id = e.id
    ORDER BY l.effective_on DESC, l.recorded_at DESC, l.id DESC LIMIT 1)
WHERE c.to_status <> e.status
ORDER BY e.id;

-- +goose Down
DROP TABLE enterprise_status_changes;
