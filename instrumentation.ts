/**
 * Next calls this once per server process (on Vercel, once per function instance). It refuses to
 * start with one list of what the environment lacks (see assertEnvironment), then: `next start`
 * and `next dev` get the outbox worker in process (woken by commits that enqueue work); on Vercel
 * there is no long-lived process, and the cron routes in vercel.json drain instead.
 * `WORKER_IN_PROCESS=false` leaves it to a separate `npm run -s worker`.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  const { assertEnvironment, startInProcessWorker } = await import('@/lib/runtime');
  assertEnvironment('server');
  if (process.env.VERCEL || process.env.WORKER_IN_PROCESS === 'false') return;
  await startInProcessWorker();
}
