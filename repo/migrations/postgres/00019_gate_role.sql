-- Gate accounts (门岗), issue 19: an enterprise's guards, whom its HR makes, scan passes and
-- record what they measure at the gate.

-- +goose Up
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('platform_admin', 'town_admin', 'supervisor', 'enterprise_hr', 'gate'));

-- +goose Down
-- An older schema has no guards: their accounts become disabled HR accounts of the same
-- enterprise (what they did stays attributed to them), signed out at once.
UPDATE users SET role = 'enterprise_hr', active = FALSE, token_generation = token_generation + 1
    WHERE role = 'gate';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('platform_admin', 'town_admin', 'supervisor', 'enterprise_hr'));
