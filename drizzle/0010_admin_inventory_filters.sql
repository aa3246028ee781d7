CREATE INDEX "attachments_inventory_type_idx" ON "attachments" USING btree ("tenant_id","content_type","created_at","id") WHERE "attachments"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "attachments_inventory_error_idx" ON "attachments" USING btree ("tenant_id","error_code","created_at","id") WHERE "attachments"."deleted_at" is null and "attachments"."error_code" is not null;--> statement-breakpoint
CREATE INDEX "attachments_inventory_locked_idx" ON "attachments" USING btree ("tenant_id","created_at","id") WHERE "attachments"."deleted_at" is null and "attachments"."locked_at" is not null;--> statement-breakpoint
-- Hand-written (not in schema.ts; re-apply after regenerating): the inventory's filename-contains
-- filter (ILIKE '%…%'). A rare name otherwise makes the query walk every row of the tenant
-- (about 600 ms at 1M rows); the tenant is a key of the same GIN index through btree_gin (0008).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "attachments_inventory_filename_idx" ON "attachments" USING gin ("tenant_id", "filename" gin_trgm_ops) WHERE "attachments"."deleted_at" is null;
