/**
 * A named step where the crash suite (tests/crash) kills the process: with `CRASH_AT=<name>` set,
 * the process SIGKILLs itself the first time it reaches that step, as a power cut or an OOM kill
 * would. Without the variable it does nothing. The points are listed in docs/reliability.md.
 */
export function crashPoint(name: string): void {
  if (process.env.CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
