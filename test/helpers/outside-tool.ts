import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { it } from 'vitest';

/** CI installs every outside program the suites use (.ci/run), so there a missing one is a failure. */
export const CI_REQUIRES_TOOLS = ['true', '1'].includes(process.env.CI ?? '');

/**
 * Whether a suite that drives a real outside program (nginx, promtool, PyJWT) can run.
 * When the program is missing the suite says so in its results: a skipped test naming the
 * reason, or, under CI, a failing one, so a CI run never passes without the suite.
 */
export function outsideToolForSuite(suite: string, installed: boolean, missing: string): boolean {
  if (installed) return true;
  const title = `${suite}: ${missing}`;
  if (CI_REQUIRES_TOOLS) {
    it(title, () => {
      throw new Error(`CI is set but ${missing}: CI must install it so that ${suite} runs`);
    });
  } else {
    it.skip(title);
  }
  return false;
}

/** An outside server program started in the foreground by a suite (nginx, Apache httpd). */
export interface OutsideServer {
  url: string;
  errorLog(): string;
  close(): Promise<void>;
}

export interface OutsideServerStart {
  /** For messages: `nginx`, `apache2`. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  port: number;
  /** Its temporary directory, removed on close. */
  dir: string;
  errorLog(): string;
}

/**
 * Spawns the program and waits until it answers HTTP on its loopback port (any status: the
 * recipes answer 401 without a credential), failing with its stderr and error log if it exits
 * or does not listen within 10 s. Closing stops it (SIGTERM, then SIGKILL) and removes its directory.
 */
export async function startOutsideServer(start: OutsideServerStart): Promise<OutsideServer> {
  const child: ChildProcess = spawn(start.command, start.args, { stdio: ['ignore', 'ignore', 'pipe'], ...(start.env ? { env: start.env } : {}) });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = `http://127.0.0.1:${start.port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 100))]);
    if (early !== 'running') throw new Error(`${start.name} exited (${early}): ${stderr}${start.errorLog()}`);
    const up = await fetch(`${url}/`, { signal: AbortSignal.timeout(1_000) }).then(() => true, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${start.name} did not listen on ${url}: ${stderr}${start.errorLog()}`);
    }
  }

  return {
    url,
    errorLog: start.errorLog,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
        if (!stopped) child.kill('SIGKILL');
      }
      rmSync(start.dir, { recursive: true, force: true });
    },
  };
}
