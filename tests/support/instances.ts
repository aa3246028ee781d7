import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * `next start` processes of the production build in .next, for tests and benchmarks of several
 * instances on one database and one bucket. Each gets the environment it is given and nothing of
 * this process's test-only variables.
 */
export interface Instance {
  readonly origin: string;
  readonly pid: number;
  /** Resident memory of the server process, in bytes (Linux). */
  rss(): Promise<number>;
  /** What it printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

export const hasBuild = () => existsSync(path.join(process.cwd(), '.next', 'BUILD_ID'));

export async function startInstance(port: number, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(port)], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const keep = (chunk: Buffer) => {
    printed = (printed + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const origin = `http://localhost:${port}`;
  const instance: Instance = {
    origin,
    pid: child.pid ?? 0,
    rss: () => rssOf(child.pid ?? 0),
    output: () => printed,
    stop: () => stop(child),
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start on ${port} exited:\n${printed}`);
    const up = await fetch(`${origin}/signin`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return instance;
    if (Date.now() > deadline) {
      await instance.stop();
      throw new Error(`next start on ${port} did not answer in 120 s:\n${printed}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}
