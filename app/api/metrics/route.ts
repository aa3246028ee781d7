import { secretRoute } from '@/app/api/_lib/route';
import { readBacklog } from '@/lib/cleanup/backlog';
import { getDb, processMetrics } from '@/lib/runtime';

// Metrics are read per request, never cached or prerendered.
export const dynamic = 'force-dynamic';

/** Prometheus text format; scrape with `Authorization: Bearer $METRICS_TOKEN`. */
export const GET = secretRoute('METRICS_TOKEN', async () => {
  const metrics = processMetrics();
  const body = await metrics.render(await readBacklog(await getDb()));
  return new Response(body, {
    headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
  });
});
