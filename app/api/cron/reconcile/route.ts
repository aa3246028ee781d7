import { secretRoute } from '@/app/api/_lib/route';
import { reconcile } from '@/lib/cleanup/reconcile';
import { json } from '@/lib/http/json';
import { workerDeps } from '@/lib/runtime';

export const dynamic = 'force-dynamic';
/** A whole account's listing takes a while; a run cut short is simply finished by the next. */
export const maxDuration = 300;

/** Vercel Cron (weekly, see vercel.json): provider objects no live row references are deleted. */
export const GET = secretRoute('CRON_SECRET', async () => json(await reconcile(await workerDeps())));
