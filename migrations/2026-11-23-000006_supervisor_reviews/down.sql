DROP TABLE IF EXISTS supervisor_reviews;
DROP INDEX IF EXISTS episodes_review_due_idx;
ALTER TABLE episodes DROP COLUMN IF EXISTS next_review_due;
