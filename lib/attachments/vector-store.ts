import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { chatVectorStores } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { FileStore } from '@/lib/file-stores/ports';
import { fileStoreFailure } from './file-store-errors';

export interface VectorStoreDeps {
  db: Db;
  /**
   * How long a loser of the creation race waits before each look for the winner's id:
   * 100, 200, 400, 800, 1600 ms.
   */
  pollDelaysMs: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The chat's provider vector store, created on first use. The unique (tenant_id, chat_id) key
 * decides the race: the one whose placeholder row lands creates the store at the provider, outside
 * any transaction, and publishes its id by compare-and-set; everyone else polls for it.
 */
export async function getOrCreateVectorStore(
  deps: VectorStoreDeps,
  chat: { tenantId: string; chatId: string },
  provider: FileStore,
): Promise<string> {
  const { db } = deps;
  const where = and(eq(chatVectorStores.tenantId, chat.tenantId), eq(chatVectorStores.chatId, chat.chatId));
  const read = async () => (await db.select().from(chatVectorStores).where(where))[0];

  const existing = await read();
  if (existing) return usable(existing, provider) ?? poll();

  const [placeholder] = await db
    .insert(chatVectorStores)
    .values({ tenantId: chat.tenantId, chatId: chat.chatId, provider: provider.id })
    .onConflictDoNothing()
    .returning();
  if (!placeholder) return poll();

  let vectorStoreId: string;
  try {
    vectorStoreId = await provider.vectorStores.create({ chatId: chat.chatId });
  } catch (err) {
    // Free the slot so that the next upload can try again.
    await db
      .delete(chatVectorStores)
      .where(and(eq(chatVectorStores.id, placeholder.id), isNull(chatVectorStores.vectorStoreId)));
    throw fileStoreFailure(err, 'vector_store_failed');
  }
  const published = await db
    .update(chatVectorStores)
    .set({ vectorStoreId })
    .where(and(eq(chatVectorStores.id, placeholder.id), isNull(chatVectorStores.vectorStoreId)))
    .returning({ id: chatVectorStores.id });
  if (published.length === 0) {
    // The chat went away while we were creating: the store would be an orphan.
    await provider.vectorStores.delete(vectorStoreId).catch(() => {});
    throw new AppError(
      'vector_store_race',
      "The chat's search index changed while it was being set up; try again.",
    );
  }
  return vectorStoreId;

  async function poll(): Promise<string> {
    const sleep = deps.sleep ?? defaultSleep;
    for (const delay of deps.pollDelaysMs) {
      await sleep(delay);
      const row = await read();
      if (!row) {
        throw new AppError(
          'vector_store_race',
          "The chat's search index changed while it was being set up; try again.",
        );
      }
      const id = usable(row, provider);
      if (id) return id;
    }
    throw new AppError(
      'vector_store_timeout',
      "The chat's search index is still being set up; try again shortly.",
      {
        headers: { 'retry-after': '3' },
      },
    );
  }
}

function usable(row: typeof chatVectorStores.$inferSelect, provider: FileStore): string | null {
  if (row.provider !== provider.id) {
    throw new AppError(
      'provider_mismatch',
      "This chat's files are kept by another provider than this upload's.",
    );
  }
  return row.vectorStoreId;
}
