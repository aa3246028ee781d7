CREATE TABLE "upload_parts" (
	"upload_id" uuid NOT NULL,
	"part_number" integer NOT NULL,
	"size_bytes" integer NOT NULL,
	"sha256" varchar(64) NOT NULL,
	"part_ref" varchar(256),
	"text_head" "bytea",
	"text_tail" "bytea",
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "upload_parts_upload_id_part_number_pk" PRIMARY KEY("upload_id","part_number"),
	CONSTRAINT "upload_parts_number_valid" CHECK ("upload_parts"."part_number" >= 1),
	CONSTRAINT "upload_parts_size_valid" CHECK ("upload_parts"."size_bytes" > 0)
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"attachment_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"size_bytes" bigint NOT NULL,
	"part_size" integer NOT NULL,
	"part_count" integer NOT NULL,
	"content_type" varchar(128) NOT NULL,
	"filename" varchar(255) NOT NULL,
	"state" varchar(16) DEFAULT 'uploading' NOT NULL,
	"provider" varchar(16) NOT NULL,
	"staging_ref" varchar(512),
	"staging_released_at" timestamp (3) with time zone,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "uploads_state_valid" CHECK ("uploads"."state" in ('uploading', 'completing', 'completed', 'cancelled', 'expired')),
	CONSTRAINT "uploads_size_positive" CHECK ("uploads"."size_bytes" > 0),
	CONSTRAINT "uploads_parts_valid" CHECK ("uploads"."part_size" > 0 and "uploads"."part_count" between 1 and 10000)
);
--> statement-breakpoint
ALTER TABLE "attachments" DROP CONSTRAINT "attachments_status_valid";--> statement-breakpoint
ALTER TABLE "upload_parts" ADD CONSTRAINT "upload_parts_upload_id_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_attachment_id_attachments_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uploads_attachment_uq" ON "uploads" USING btree ("attachment_id");--> statement-breakpoint
CREATE INDEX "uploads_sweep_idx" ON "uploads" USING btree ("expires_at") WHERE "uploads"."state" in ('uploading', 'completing') or "uploads"."staging_released_at" is null;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_status_valid" CHECK ("attachments"."status" in ('uploading', 'pending', 'uploaded', 'ready', 'failed'));