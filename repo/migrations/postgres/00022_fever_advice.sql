-- The township's fever advice (发热处置提示, issue 21): what a worker whose reading is a fever,
-- or who reports symptoms, is told on the phone at once, instead of the usual "submitted". The
-- town sets it on its settings page; every township, old or new, starts with the same text as
-- domain.DefaultFeverAdvice (TestFeverAdviceMigration holds the two together). The enterprise's
-- contact is shown beside it from the enterprise, so the text does not name one.

-- +goose Up
ALTER TABLE townships ADD COLUMN fever_advice TEXT NOT NULL
    DEFAULT '请立即停止工作，佩戴口罩，告知企业联系人，前往就近的发热门诊就诊，途中避免乘坐公共交通。'
    CHECK (char_length(fever_advice) BETWEEN 1 AND 300);

-- +goose Down
ALTER TABLE townships DROP COLUMN fever_advice;
