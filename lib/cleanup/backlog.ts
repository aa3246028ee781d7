import { and, count, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { attachments, chats, chatVectorStores, outbox } from '@/lib/db/schema';
import type { Backlog } from '@/lib/metrics';

/** What is left to clean up and to run, for the gauges Prometheus reads on each scrape. */
export async function readBacklog(db: Db): Promise<Backlog> {
  const files = await db
    .select({ state: attachments.cleanupStatus, n: count() })
    .from(attachments)
    .where(inArray(attachments.cleanupStatus, ['pending', 'failed']))
    .groupBy(attachments.cleanupStatus);
  // A deleted chat's store is pending cleanup until its row is gone.
  const [stores] = await db
    .select({ n: count() })
    .from(chatVectorStores)
    .innerJoin(chats, eq(chats.id, chatVectorStores.chatId))
    .where(isNotNull(chats.deletedAt));
  const waiting = and(isNull(outbox.completedAt), isNull(outbox.deadAt));
  const jobs = await db
    .select({
      kind: outbox.kind,
      pending: sql<number>`(count(*) filter (where ${waiting}))::int`,
      dead: sql<number>`(count(*) filter (where ${outbox.deadAt} is not null))::int`,
      oldest: sql<
        string | null
      >`extract(epoch from now() - min(${outbox.createdAt}) filter (where ${waiting}))`,
    })
    .from(outbox)
    .where(isNull(outbox.completedAt))
    .groupBy(outbox.kind);
  return {
    // Every state is reported, zeros included, so that an alert on `failed > 0` has a series.
    cleanup: [
      ...(['pending', 'failed'] as const).map((state) => ({
        state,
        resource: 'file' as const,
        count: files.find((row) => row.state === state)?.n ?? 0,
      })),
      { state: 'pending', resource: 'vector_store', count: stores?.n ?? 0 },
    ],
    outbox: jobs.map((row) => ({
      kind: row.kind,
      pending: Number(row.pending),
      dead: Number(row.dead),
      oldestPendingSeconds: Math.max(0, Number(row.oldest ?? 0)),
    })),
  };
}
