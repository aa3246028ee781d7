DROP INDEX "api_tokens_user_idx";--> statement-breakpoint
CREATE INDEX "chat_turns_user_started_idx" ON "chat_turns" USING btree ("user_id","started_at");--> statement-breakpoint
CREATE INDEX "chats_user_created_idx" ON "chats" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" USING btree ("user_id","created_at");