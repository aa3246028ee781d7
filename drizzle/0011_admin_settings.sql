CREATE TABLE "attachment_daily" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"error_code" varchar(64) DEFAULT '' NOT NULL,
	"uploads" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"failed" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "attachment_daily_tenant_id_day_error_code_pk" PRIMARY KEY("tenant_id","day","error_code")
);
--> statement-breakpoint
CREATE TABLE "attachment_usage" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" varchar(16) NOT NULL,
	"kind" varchar(16) NOT NULL,
	"files" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "attachment_usage_tenant_id_user_id_status_kind_pk" PRIMARY KEY("tenant_id","user_id","status","kind")
);
--> statement-breakpoint
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
ALTER TABLE "attachment_daily" ADD CONSTRAINT "attachment_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachment_usage" ADD CONSTRAINT "attachment_usage_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_retention_idx" ON "attachments" USING btree ("tenant_id",coalesce("last_sent_at", "created_at")) WHERE "attachments"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "attachments_inventory_kind_idx" ON "attachments" USING btree ("tenant_id","kind","created_at","id") WHERE "attachments"."deleted_at" is null;--> statement-breakpoint
-- ===== Hand-written (keep after regeneration) =====
-- Files sent before last_sent_at existed count their retention from their last send, not their upload.
UPDATE "attachments" SET "last_sent_at" = (
  SELECT max("message_attachments"."created_at") FROM "message_attachments"
  WHERE "message_attachments"."attachment_id" = "attachments"."id"
) WHERE "locked_at" IS NOT NULL AND "last_sent_at" IS NULL;
--> statement-breakpoint
-- The overview's rollups (lib/db/schema.ts attachment_usage, attachment_daily), kept exact by one
-- statement-level trigger: a statement's old rows are taken out and its new rows put in, grouped,
-- in key order (so concurrent statements lock rollup rows in one order). Rows of a tenant being
-- deleted are skipped: its rollups go with it.
CREATE FUNCTION "attachment_rollups_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO "attachment_usage" AS u ("tenant_id", "user_id", "status", "kind", "files", "bytes")
    SELECT o."tenant_id", o."uploaded_by_user_id", o."status", o."kind", -count(*),
      -coalesce(sum(o."size_bytes") FILTER (WHERE o."status" <> 'failed'), 0)
    FROM old_rows o JOIN "tenants" t ON t."id" = o."tenant_id"
    WHERE o."deleted_at" IS NULL
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("tenant_id", "user_id", "status", "kind")
      DO UPDATE SET "files" = u."files" + excluded."files", "bytes" = u."bytes" + excluded."bytes";
    INSERT INTO "attachment_daily" AS d ("tenant_id", "day", "error_code", "uploads", "bytes", "failed")
    SELECT o."tenant_id", (o."created_at" AT TIME ZONE 'utc')::date, coalesce(o."error_code", ''), -count(*),
      -coalesce(sum(o."size_bytes"), 0), -count(*) FILTER (WHERE o."status" = 'failed')
    FROM old_rows o JOIN "tenants" t ON t."id" = o."tenant_id"
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ("tenant_id", "day", "error_code") DO UPDATE SET "uploads" = d."uploads" + excluded."uploads",
      "bytes" = d."bytes" + excluded."bytes", "failed" = d."failed" + excluded."failed";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "attachment_usage" AS u ("tenant_id", "user_id", "status", "kind", "files", "bytes")
    SELECT n."tenant_id", n."uploaded_by_user_id", n."status", n."kind", count(*),
      coalesce(sum(n."size_bytes") FILTER (WHERE n."status" <> 'failed'), 0)
    FROM new_rows n
    WHERE n."deleted_at" IS NULL
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("tenant_id", "user_id", "status", "kind")
      DO UPDATE SET "files" = u."files" + excluded."files", "bytes" = u."bytes" + excluded."bytes";
    INSERT INTO "attachment_daily" AS d ("tenant_id", "day", "error_code", "uploads", "bytes", "failed")
    SELECT n."tenant_id", (n."created_at" AT TIME ZONE 'utc')::date, coalesce(n."error_code", ''), count(*),
      coalesce(sum(n."size_bytes"), 0), count(*) FILTER (WHERE n."status" = 'failed')
    FROM new_rows n
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ("tenant_id", "day", "error_code") DO UPDATE SET "uploads" = d."uploads" + excluded."uploads",
      "bytes" = d."bytes" + excluded."bytes", "failed" = d."failed" + excluded."failed";
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "attachments_rollups_insert" AFTER INSERT ON "attachments"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "attachment_rollups_apply"();
--> statement-breakpoint
CREATE TRIGGER "attachments_rollups_update" AFTER UPDATE ON "attachments"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "attachment_rollups_apply"();
--> statement-breakpoint
CREATE TRIGGER "attachments_rollups_delete" AFTER DELETE ON "attachments"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "attachment_rollups_apply"();
--> statement-breakpoint
-- The rollups of the rows already there.
INSERT INTO "attachment_usage" ("tenant_id", "user_id", "status", "kind", "files", "bytes")
SELECT "tenant_id", "uploaded_by_user_id", "status", "kind", count(*),
  coalesce(sum("size_bytes") FILTER (WHERE "status" <> 'failed'), 0)
FROM "attachments" WHERE "deleted_at" IS NULL GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "attachment_daily" ("tenant_id", "day", "error_code", "uploads", "bytes", "failed")
SELECT "tenant_id", ("created_at" AT TIME ZONE 'utc')::date, coalesce("error_code", ''), count(*),
  coalesce(sum("size_bytes"), 0), count(*) FILTER (WHERE "status" = 'failed')
FROM "attachments" GROUP BY 1, 2, 3;
