// Deletes the provider files and vector stores of ours that no live row references, and prints
// a report per provider as JSON. `--dry-run` only reports.
import { parseArgs } from 'node:util';

// Logs go to stderr: stdout carries only the report. Set before the modules that log load.
process.env.LOG_STREAM ??= 'stderr';
const { reconcile } = await import('@/lib/cleanup/reconcile');
const { standaloneWorkerDeps } = await import('@/lib/runtime');
const { runCli } = await import('./cli');

const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });

await runCli(async (database) => {
  const report = await reconcile(standaloneWorkerDeps(database.db), { dryRun: values['dry-run'] });
  console.log(JSON.stringify(report, null, 2));
});
