-- SQLite twin of the PostgreSQL migration (issue 21: the township's fever advice); see there.

-- +goose Up
ALTER TABLE townships ADD COLUMN fever_advice TEXT NOT NULL
    DEFAULT '请立即停止工作，佩戴口罩，告知企业联系人，前往就近的发热门诊就诊，途中避免乘坐公共交通。'
    CHECK (length(fever_advice) BETWEEN 1 AND 300);

-- +goose Down
ALTER TABLE townships DROP COLUMN fever_advice;
