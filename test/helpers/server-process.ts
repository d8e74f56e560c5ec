import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The compiled server, as `npm start` runs it (`npm ci` and the test script build dist/). */
export const MAIN = resolve(__dirname, '../../dist/main.js');
export const BIN = resolve(__dirname, '../../bin/keygate.js');

export interface ServerProcess {
  child: ChildProcess;
  /** The GraphQL URL the server logged. */
  url: string;
  baseUrl: string;
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** How the server is started: `node dist/main.js` unless told otherwise (`npm start`, `keygate serve`). */
export interface Launcher {
  command: string;
  args: string[];
  /** Its own process group, so a test can signal the group the way a terminal's Ctrl-C does. */
  detached?: boolean;
}

/** Starts the server on an ephemeral loopback port; resolves once it logs its URL. */
export function startServerProcess(cwd: string, env: NodeJS.ProcessEnv, launcher: Launcher = { command: process.execPath, args: [MAIN] }): Promise<ServerProcess> {
  const child = spawn(launcher.command, launcher.args, {
    cwd,
    detached: launcher.detached ?? false,
    env: { ...env, PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1' },
  });
  let output = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise({
          child,
          url: match[1],
          baseUrl: match[1].replace(/\/graphql$/, ''),
          output: () => output,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compiled `keygate` command line against a server, as root, asynchronously: the
 * server under test usually lives in the calling process, which a synchronous run would block.
 */
export function runCli(server: { baseUrl: string; rootKey: string }, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, KEYGATE_URL: server.baseUrl, KEYGATE_API_KEY: server.rootKey, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
