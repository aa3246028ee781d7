CREATE TABLE "attachments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"uploaded_by_user_id" uuid NOT NULL,
	"filename" varchar(255) NOT NULL,
	"content_type" varchar(128) NOT NULL,
	"size_bytes" bigint NOT NULL,
	"provider" varchar(16) NOT NULL,
	"storage_backend" varchar(32) NOT NULL,
	"provider_file_id" varchar(256),
	"status" varchar(16) NOT NULL,
	"error_code" varchar(64),
	"kind" varchar(16) NOT NULL,
	"img_thumbnail" "bytea",
	"img_thumbnail_width" integer,
	"img_thumbnail_height" integer,
	"for_file_search" boolean DEFAULT false NOT NULL,
	"for_code_interpreter" boolean DEFAULT false NOT NULL,
	"cleanup_status" varchar(16),
	"cleanup_attempts" integer DEFAULT 0 NOT NULL,
	"last_cleanup_error" text,
	"cleanup_updated_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	CONSTRAINT "attachments_id_chat_uq" UNIQUE("id","chat_id"),
	CONSTRAINT "attachments_size_nonnegative" CHECK ("attachments"."size_bytes" >= 0),
	CONSTRAINT "attachments_status_valid" CHECK ("attachments"."status" in ('pending', 'uploaded', 'ready', 'failed')),
	CONSTRAINT "attachments_kind_valid" CHECK ("attachments"."kind" in ('document', 'image')),
	CONSTRAINT "attachments_cleanup_valid" CHECK ("attachments"."cleanup_status" is null or "attachments"."cleanup_status" in ('pending', 'done', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "chat_vector_stores" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"vector_store_id" varchar(128),
	"provider" varchar(16) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "local_chunks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"vector_store_id" varchar(64) NOT NULL,
	"file_id" varchar(256) NOT NULL,
	"seq" integer NOT NULL,
	"content" text NOT NULL,
	"tsv" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', content)) STORED NOT NULL
);
--> statement-breakpoint
CREATE TABLE "local_vector_store_files" (
	"vector_store_id" varchar(64) NOT NULL,
	"file_id" varchar(256) NOT NULL,
	"status" varchar(16) NOT NULL,
	"attributes" jsonb NOT NULL,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "local_vector_store_files_vector_store_id_file_id_pk" PRIMARY KEY("vector_store_id","file_id")
);
--> statement-breakpoint
CREATE TABLE "local_vector_stores" (
	"id" varchar(64) PRIMARY KEY NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_attachments" (
	"tenant_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"attachment_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_attachments_chat_id_message_id_attachment_id_pk" PRIMARY KEY("chat_id","message_id","attachment_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"role" varchar(16) NOT NULL,
	"content" text NOT NULL,
	"request_id" uuid,
	"model" varchar(128),
	"input_tokens" integer,
	"output_tokens" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	CONSTRAINT "messages_id_chat_uq" UNIQUE("id","chat_id")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" varchar(64) NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp (3) with time zone,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"dead_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "tenant_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"disable_uploads" boolean DEFAULT false NOT NULL,
	"disable_file_search" boolean DEFAULT false NOT NULL,
	"disable_code_interpreter" boolean DEFAULT false NOT NULL,
	"disable_images" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_uploaded_by_user_id_users_id_fk" FOREIGN KEY ("uploaded_by_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_vector_stores" ADD CONSTRAINT "chat_vector_stores_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_vector_stores" ADD CONSTRAINT "chat_vector_stores_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "local_chunks" ADD CONSTRAINT "local_chunks_vector_store_id_file_id_local_vector_store_files_vector_store_id_file_id_fk" FOREIGN KEY ("vector_store_id","file_id") REFERENCES "public"."local_vector_store_files"("vector_store_id","file_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "local_vector_store_files" ADD CONSTRAINT "local_vector_store_files_vector_store_id_local_vector_stores_id_fk" FOREIGN KEY ("vector_store_id") REFERENCES "public"."local_vector_stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_message_id_chat_id_messages_id_chat_id_fk" FOREIGN KEY ("message_id","chat_id") REFERENCES "public"."messages"("id","chat_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_attachment_id_chat_id_attachments_id_chat_id_fk" FOREIGN KEY ("attachment_id","chat_id") REFERENCES "public"."attachments"("id","chat_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_settings" ADD CONSTRAINT "tenant_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_chat_idx" ON "attachments" USING btree ("tenant_id","chat_id","created_at") WHERE "attachments"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "attachments_user_usage_idx" ON "attachments" USING btree ("uploaded_by_user_id") WHERE "attachments"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "attachments_tenant_usage_idx" ON "attachments" USING btree ("tenant_id") WHERE "attachments"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "attachments_unfinished_idx" ON "attachments" USING btree ("status","updated_at") WHERE "attachments"."status" in ('pending', 'uploaded') and "attachments"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "attachments_cleanup_idx" ON "attachments" USING btree ("cleanup_status") WHERE "attachments"."cleanup_status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "chat_vector_stores_chat_uq" ON "chat_vector_stores" USING btree ("tenant_id","chat_id");--> statement-breakpoint
CREATE INDEX "local_chunks_tsv_idx" ON "local_chunks" USING gin ("tsv");--> statement-breakpoint
CREATE INDEX "local_chunks_file_idx" ON "local_chunks" USING btree ("vector_store_id","file_id","seq");--> statement-breakpoint
CREATE INDEX "message_attachments_attachment_idx" ON "message_attachments" USING btree ("attachment_id","chat_id");--> statement-breakpoint
CREATE INDEX "messages_chat_idx" ON "messages" USING btree ("chat_id","created_at","id");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("available_at") WHERE "outbox"."completed_at" is null and "outbox"."dead_at" is null;