CREATE TABLE "chat_turns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"state" varchar(16) NOT NULL,
	"error_code" varchar(64),
	"model" varchar(128) NOT NULL,
	"user_message_id" uuid NOT NULL,
	"assistant_message_id" uuid NOT NULL,
	"replaced_by_request_id" uuid,
	"started_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_progress_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	CONSTRAINT "chat_turns_state_valid" CHECK ("chat_turns"."state" in ('running', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
-- No code wrote messages before turns did; any row without a request id gets one of its own.
UPDATE "messages" SET "request_id" = gen_random_uuid() WHERE "request_id" IS NULL;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "request_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "locked_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "state" varchar(16);--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "error_code" varchar(64);--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "finish_reason" varchar(16);--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "citations" jsonb;--> statement-breakpoint
ALTER TABLE "chat_turns" ADD CONSTRAINT "chat_turns_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_turns" ADD CONSTRAINT "chat_turns_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_turns" ADD CONSTRAINT "chat_turns_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_turns_request_uq" ON "chat_turns" USING btree ("chat_id","request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_turns_one_running_uq" ON "chat_turns" USING btree ("chat_id") WHERE "chat_turns"."state" = 'running' and "chat_turns"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "chat_turns_orphan_idx" ON "chat_turns" USING btree ("last_progress_at") WHERE "chat_turns"."state" = 'running';--> statement-breakpoint
CREATE INDEX "chat_turns_latest_idx" ON "chat_turns" USING btree ("chat_id","started_at") WHERE "chat_turns"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "attachments_provider_file_idx" ON "attachments" USING btree ("chat_id","provider_file_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_request_role_uq" ON "messages" USING btree ("chat_id","request_id","role") WHERE "messages"."deleted_at" is null;--> statement-breakpoint
-- Attachments already linked to a message stay undeletable under the new rule.
UPDATE "attachments" SET "locked_at" = now() WHERE "locked_at" IS NULL AND EXISTS (SELECT 1 FROM "message_attachments" ma WHERE ma."attachment_id" = "attachments"."id" AND ma."chat_id" = "attachments"."chat_id");
