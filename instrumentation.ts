/**
 * Next calls this once per server process. A platform's SIGTERM starts a graceful shutdown
 * (lib/shutdown.ts; not on Vercel, whose functions are not long-lived processes). `next start`
 * and `next dev` get the outbox worker in process (woken by commits that enqueue work); on Vercel
 * there is no long-lived process, and the cron routes in vercel.json drain instead.
 * `WORKER_IN_PROCESS=false` leaves it to a separate `npm run -s worker`.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.VERCEL || process.env.NEXT_PHASE === 'phase-production-build') return;
  // SIGTERM drains this process (lib/shutdown.ts), worker or not.
  const { installShutdownHandler } = await import('@/lib/shutdown');
  installShutdownHandler();
  if (process.env.WORKER_IN_PROCESS === 'false') return;
  const { startInProcessWorker } = await import('@/lib/runtime');
  await startInProcessWorker();
}
