-- The history of enterprise statuses: every change from one status to another, effective on a
-- local calendar day, by whom and why. A past day's dashboard and reports read the statuses of
-- that day from it (domain.StatusOn), and the enterprise's page shows it as a timeline. Every
-- status change writes its row in the transaction that changes enterprises.status.
--
-- Backfill: the history is rebuilt from what the earlier tables kept, in the order things
-- happen, one step per enterprise and kind:
--   1. registered → not_applied, on the day of enterprises.created_at;
--   2. not_applied → applied, when its first plan was submitted (reopening_plans.submitted_at),
--      by whom the audit log says submitted it;
--   3. applied → approved, when a supervisor approved a plan (plan_reviews), by that reviewer;
--   4. approved → reopened, effective enterprises.reopened_on, recorded when the audit log
--      says the reopening was confirmed (else at the enterprise's last update), by that user;
--   5. whatever the enterprise's status is now, if the steps above do not end there.
-- Days are the township's local days (its timezone).
--
-- What could not be recovered:
--   - rejections: a rejected plan left the enterprise applied, so a rejection was never a
--     change of status and has no row (the plan's reviews keep it);
--   - resubmissions after a rejection: the enterprise was applied already, no row either;
--   - step 5 (a status the plan tables do not explain, e.g. suspended, which no route could
--     set before this migration): neither the day nor the reason nor who set it was kept; the
--     row is dated the day of the enterprise's last update, by nobody (NULL), and says so;
--   - who registered an enterprise and who made a step the audit log does not name (NULL).

-- +goose Up
CREATE TABLE enterprise_status_changes (
    id            BIGSERIAL PRIMARY KEY,
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    from_status   TEXT CHECK (from_status IN ('not_applied', 'applied', 'approved', 'reopened', 'suspended')),
    to_status     TEXT NOT NULL CHECK (to_status IN ('not_applied', 'applied', 'approved', 'reopened', 'suspended')),
    effective_on  DATE NOT NULL,
    changed_by    BIGINT REFERENCES users (id),
    reason        TEXT NOT NULL DEFAULT '',
    recorded_at   TIMESTAMPTZ NOT NULL
);
-- One enterprise's timeline, in the order StatusOn reads it.
CREATE INDEX enterprise_status_changes_enterprise ON enterprise_status_changes (enterprise_id, effective_on, recorded_at, id);
-- A township's changes up to a day: the one read of a past day's dashboard or a range export.
CREATE INDEX enterprise_status_changes_township ON enterprise_status_changes (township_id, effective_on);

-- 1. Registration. It comes first even where created_at does not (rows loaded in bulk, or
-- written with a clock of their own as the demo's are): no later than the first submission.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT e.township_id, e.id, NULL, 'not_applied', (LEAST(e.created_at, s.first) AT TIME ZONE t.timezone)::date, NULL,
    '登记企业(迁移补记)', LEAST(e.created_at, s.first)
FROM enterprises e JOIN townships t ON t.id = e.township_id
LEFT JOIN (SELECT enterprise_id, MIN(submitted_at) AS first FROM reopening_plans GROUP BY enterprise_id) s
    ON s.enterprise_id = e.id
ORDER BY e.id;

-- 2. The first submission of a plan.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT p.township_id, p.enterprise_id, 'not_applied', 'applied', (p.submitted_at AT TIME ZONE t.timezone)::date,
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
SELECT p.township_id, p.enterprise_id, 'applied', 'approved', (r.reviewed_at AT TIME ZONE t.timezone)::date, r.reviewer_id,
    '批准第 ' || p.version || ' 版复工方案(迁移补记)', r.reviewed_at
FROM plan_reviews r JOIN reopening_plans p ON p.id = r.plan_id JOIN townships t ON t.id = p.township_id
WHERE r.decision = 'approved'
ORDER BY p.enterprise_id, r.reviewed_at;

-- 4. The reopening.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT e.township_id, e.id, 'approved', 'reopened', e.reopened_on, ev.actor_id, '确认复工(迁移补记)',
    COALESCE(ev.created_at, e.updated_at)
FROM enterprises e
LEFT JOIN LATERAL (
    SELECT a.actor_id, a.created_at FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id
    WHERE a.action = 'enterprise.reopen' AND a.entity_type = 'enterprise' AND a.entity_id = e.id
        AND (a.actor_id IS NULL OR u.id IS NOT NULL)
    ORDER BY a.id DESC LIMIT 1) ev ON TRUE
WHERE e.reopened_on IS NOT NULL
ORDER BY e.id;

-- 5. The status now, where the steps above do not end there.
INSERT INTO enterprise_status_changes (township_id, enterprise_id, from_status, to_status, effective_on, changed_by, reason, recorded_at)
SELECT e.township_id, e.id, c.to_status, e.status,
    GREATEST(c.effective_on, (e.updated_at AT TIME ZONE t.timezone)::date), NULL,
    '迁移时的当前状态(变更日期、原因和操作人无从查考)', GREATEST(c.recorded_at, e.updated_at)
FROM enterprises e JOIN townships t ON t.id = e.township_id
JOIN enterprise_status_changes c ON c.id = (
    SELECT l.id FROM enterprise_status_changes l WHERE l.enterprise_id = e.id
    ORDER BY l.effective_on DESC, l.recorded_at DESC, l.id DESC LIMIT 1)
WHERE c.to_status <> e.status
ORDER BY e.id;

-- +goose Down
DROP TABLE enterprise_status_changes;
