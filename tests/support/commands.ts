import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What one operator command may take here. On an idle machine one costs 1.5 to 5 s (Node and tsx
 * start, the modules load, PGlite opens its folder, creating it first when it is new); with
 * several test runs at once on two cores that grew to 13 s, so this leaves room for worse.
 */
export const COMMAND_TIMEOUT_MS = 60_000;

/**
 * A test's own timeout when it waits for `commands` commands one after another: their timeouts
 * together, plus room for what the test does in its own process (opening the folder to check).
 */
export const budgetFor = (commands: number) => commands * COMMAND_TIMEOUT_MS + 30_000;

const scripts: Record<string, string> = JSON.parse(
  readFileSync(path.join(process.cwd(), 'package.json'), 'utf8'),
).scripts;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run -s <script> -- <args>` as documented, but starts the script's own command line
 * from package.json directly: npm's start-up would add half a second to a second per call on a
 * busy machine and test nothing of ours.
 */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<CommandResult> {
  const line = scripts[script] ?? '';
  const words = line.split(' ');
  // Leading `NAME=value` words are the command's environment, as the shell reads them.
  const assignments: Record<string, string> = {};
  while (words[0] && /^[A-Z_]+=\S+$/.test(words[0])) {
    const [name, value] = (words.shift() as string).split('=') as [string, string];
    assignments[name] = value;
  }
  const [command, ...commandArgs] = words;
  if (command !== 'node' || /[;&|<>$"'`]/.test(line)) {
    throw new Error(`package.json script ${script} is not a plain node command line: ${line}`);
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...commandArgs, ...args],
      { env: { ...process.env, ...assignments, ...env }, timeout: COMMAND_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        // A command killed at its timeout says so, rather than failing a later assertion obscurely.
        if (error?.killed) stderr += `\n(killed after ${COMMAND_TIMEOUT_MS} ms)`;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
