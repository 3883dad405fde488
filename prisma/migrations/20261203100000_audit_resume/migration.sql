-- The head the control plane last asked a node to upload again from, after a batch arrived beyond a
-- head that had lost records it acknowledged (a store restored from a backup, a failover that lost
-- commits). Asked once per head: a node that still does not send them has its chain flagged.
-- AlterTable
ALTER TABLE "audit_sources" ADD COLUMN "resume_requested_seq" BIGINT;
