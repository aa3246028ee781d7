/**
 * Next calls this once per server process (on Vercel, once per function instance). A process
 * whose environment lacks what it needs exits at once with one list of it (see
 * assertEnvironment in lib/runtime.ts). A platform's SIGTERM starts a graceful shutdown
 * (lib/shutdown.ts; not on Vercel, whose functions are not long-lived processes). `next start`
 * and `next dev` get the outbox worker in process (woken by commits that enqueue work); on Vercel
 * the cron routes in vercel.json drain instead. `WORKER_IN_PROCESS=false` leaves it to a separate
 * `npm run -s worker`.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  const { exitUnlessEnvironmentIsComplete, startInProcessWorker } = await import('@/lib/runtime');
  exitUnlessEnvironmentIsComplete('server');
  if (process.env.VERCEL) return;
  // SIGTERM drains this process (lib/shutdown.ts), worker or not.
  const { installShutdownHandler } = await import('@/lib/shutdown');
  installShutdownHandler();
  if (process.env.WORKER_IN_PROCESS === 'false') return;
  await startInProcessWorker();
}
