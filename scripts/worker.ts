// One pass from a terminal (or a scheduler that is not Vercel's): the reaper, then the outbox
// until nothing is due, or for at most --max-seconds. Prints what it did as JSON.
import { parseArgs } from 'node:util';

// Logs go to stderr: stdout carries only the report. Set before the modules that log load.
process.env.LOG_STREAM ??= 'stderr';
const { workOnce } = await import('@/lib/cleanup/worker');
const { standaloneWorkerDeps } = await import('@/lib/runtime');
const { runCli } = await import('./cli');

const { values } = parseArgs({ options: { 'max-seconds': { type: 'string' } } });
const maxSeconds = values['max-seconds'] === undefined ? undefined : Number(values['max-seconds']);

await runCli(async (database) => {
  const deps = standaloneWorkerDeps(database.db);
  const deadline = maxSeconds === undefined ? undefined : deps.clock() + maxSeconds * 1000;
  console.log(JSON.stringify(await workOnce(deps, { deadline })));
});
