import { secretRoute } from '@/app/api/_lib/route';
import { workOnce } from '@/lib/cleanup/worker';
import { json } from '@/lib/http/json';
import { workerDeps } from '@/lib/runtime';

export const dynamic = 'force-dynamic';
/** Seconds; Vercel ends the function then. The drain stops claiming well before. */
export const maxDuration = 60;
const BUDGET_MS = 45_000;

/** Vercel Cron (every minute, see vercel.json): the reaper, then the outbox within the budget. */
export const GET = secretRoute('CRON_SECRET', async () => {
  const deps = await workerDeps();
  return json(await workOnce(deps, { deadline: deps.clock() + BUDGET_MS }));
});
