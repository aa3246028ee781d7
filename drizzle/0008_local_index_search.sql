-- The local index's search reads only its own store's rows (one GIN index keyed by store, file
-- and words, which needs btree_gin), knows a store's common words from their counts
-- (local_lexemes), and keeps a passage's row whole (toast_tuple_target); PDF passages record
-- their page.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE TABLE "local_lexemes" (
	"vector_store_id" varchar(64) NOT NULL,
	"file_id" varchar(256) NOT NULL,
	"lexeme" text NOT NULL,
	"passages" integer NOT NULL,
	CONSTRAINT "local_lexemes_vector_store_id_lexeme_file_id_pk" PRIMARY KEY("vector_store_id","lexeme","file_id")
);
--> statement-breakpoint
DROP INDEX "local_chunks_tsv_idx";--> statement-breakpoint
DROP INDEX "local_chunks_file_idx";--> statement-breakpoint
ALTER TABLE "local_chunks" ADD COLUMN "page" integer;--> statement-breakpoint
-- A passage and its tsvector (2-3 KB together) stay in the row, uncompressed: ranking tests the
-- tsvector once per word, which from the TOAST table costs a lookup and a decompression each
-- time. Rows written from now on; existing ones keep their layout until rewritten.
ALTER TABLE "local_chunks" SET (toast_tuple_target = 8160);--> statement-breakpoint
ALTER TABLE "local_vector_store_files" ADD COLUMN "chunks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "local_lexemes" ADD CONSTRAINT "local_lexemes_vector_store_id_file_id_local_vector_store_files_vector_store_id_file_id_fk" FOREIGN KEY ("vector_store_id","file_id") REFERENCES "public"."local_vector_store_files"("vector_store_id","file_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "local_chunks_search_idx" ON "local_chunks" USING gin ("vector_store_id","file_id","tsv");--> statement-breakpoint
-- Backfill: each indexed file's passage count and word counts, as indexing now writes them
-- (lib/file-stores/local/lexemes.ts, LEXEME_MIN_PASSAGES = 10).
UPDATE "local_vector_store_files" f SET "chunks" = (
	SELECT count(*) FROM "local_chunks" c WHERE c."vector_store_id" = f."vector_store_id" AND c."file_id" = f."file_id"
);--> statement-breakpoint
INSERT INTO "local_lexemes" ("vector_store_id", "file_id", "lexeme", "passages")
SELECT f."vector_store_id", f."file_id", s.word, s.ndoc
FROM "local_vector_store_files" f
CROSS JOIN LATERAL ts_stat(format(
	'select tsv from local_chunks where vector_store_id = %L and file_id = %L', f."vector_store_id", f."file_id"
)) s
WHERE f."status" = 'completed' AND s.ndoc >= 10;
