DROP INDEX "attachments_cleanup_idx";--> statement-breakpoint
ALTER TABLE "local_vector_stores" ADD COLUMN "name" varchar(128);--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "lease_token" uuid;--> statement-breakpoint
CREATE INDEX "chat_vector_stores_store_idx" ON "chat_vector_stores" USING btree ("vector_store_id");--> statement-breakpoint
CREATE INDEX "outbox_dead_idx" ON "outbox" USING btree ("dead_at") WHERE "outbox"."dead_at" is not null;--> statement-breakpoint
CREATE INDEX "outbox_completed_idx" ON "outbox" USING btree ("completed_at") WHERE "outbox"."completed_at" is not null;--> statement-breakpoint
CREATE INDEX "attachments_cleanup_idx" ON "attachments" USING btree ("cleanup_status") WHERE "attachments"."cleanup_status" in ('pending', 'failed');