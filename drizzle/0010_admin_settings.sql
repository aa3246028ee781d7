ALTER TABLE "attachments" ADD COLUMN "last_sent_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "max_document_mb" integer;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "max_image_mb" integer;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "chat_max_documents" integer;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "chat_max_upload_mb" integer;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "quota_user_mb" integer;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "allowed_types" jsonb;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "enabled_models" jsonb;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "retention_days" integer;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "retention_exempt_locked" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD COLUMN "retention_swept_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "attachments_retention_idx" ON "attachments" USING btree ("tenant_id",coalesce("last_sent_at", "created_at")) WHERE "attachments"."deleted_at" is null;--> statement-breakpoint
-- Hand-written (keep after regeneration): files sent before last_sent_at existed count their
-- retention from their last send, not from their upload.
UPDATE "attachments" SET "last_sent_at" = (
  SELECT max("message_attachments"."created_at") FROM "message_attachments"
  WHERE "message_attachments"."attachment_id" = "attachments"."id"
) WHERE "locked_at" IS NOT NULL AND "last_sent_at" IS NULL;
