-- Wall screen accounts (大屏), issue 21: a town admin makes them; they read the township's
-- figures and nothing else.

-- +goose Up
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('platform_admin', 'town_admin', 'supervisor', 'enterprise_hr', 'gate', 'viewer'));

-- +goose Down
-- An older schema has no wall screens: their accounts become disabled supervisors of no
-- enterprise (the role that reads least of a township without one; what they did stays
-- attributed to them), signed out at once. A town admin who enables one again gets a
-- supervisor to assign, not a wall screen.
UPDATE users SET role = 'supervisor', active = FALSE, token_generation = token_generation + 1
    WHERE role = 'viewer';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('platform_admin', 'town_admin', 'supervisor', 'enterprise_hr', 'gate'));
