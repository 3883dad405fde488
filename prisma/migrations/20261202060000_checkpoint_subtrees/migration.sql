-- Each checkpoint keeps the roots of its tree's perfect subtrees (at most 64 x 32 bytes), so the next
-- checkpoint hashes only the events added since instead of the whole log. Older checkpoints have none:
-- the first checkpoint after this migration reads the log once and stores them.
ALTER TABLE "audit_checkpoints" ADD COLUMN "subtree_hashes" BYTEA;
