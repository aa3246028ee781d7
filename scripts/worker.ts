// One pass from a terminal (or a scheduler that is not Vercel's): the reaper, then the outbox
// until nothing is due, or for at most --max-seconds. Prints what it did as JSON. SIGTERM stops
// claiming; the jobs in hand get SHUTDOWN_GRACE_SECONDS to finish, then their leases are given
// back and the process exits.
import { parseArgs } from 'node:util';

// Logs go to stderr: stdout carries only the report. Set before the modules that log load.
process.env.LOG_STREAM ??= 'stderr';
const { workOnce } = await import('@/lib/cleanup/worker');
const { releaseHeldLeases } = await import('@/lib/outbox/worker');
const { shutdownGraceMs } = await import('@/lib/shutdown');
const { standaloneWorkerDeps } = await import('@/lib/runtime');
const { runCli } = await import('./cli');

const { values } = parseArgs({ options: { 'max-seconds': { type: 'string' } } });
const maxSeconds = values['max-seconds'] === undefined ? undefined : Number(values['max-seconds']);

await runCli(async (database) => {
  const deps = standaloneWorkerDeps(database.db);
  const deadline = maxSeconds === undefined ? undefined : deps.clock() + maxSeconds * 1000;
  const stop = new AbortController();
  process.once('SIGTERM', () => {
    stop.abort();
    setTimeout(async () => {
      await releaseHeldLeases(database.db).catch(() => 0);
      await database.close().catch(() => {});
      process.exit(143);
    }, shutdownGraceMs()).unref();
  });
  console.log(JSON.stringify(await workOnce(deps, { deadline, signal: stop.signal })));
});
