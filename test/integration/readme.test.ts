import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessDatabase, type TrackedProcess, ensureStopped, prepareProcessDatabase, startTracked } from '../helpers/process-harness';
import { WALKTHROUGH, lastValue, pagesWithShellBlocks, shellBlocks, steps } from '../helpers/readme-blocks';

/**
 * The README and the guide it continues into (docs/guide.md) work pasted in order: every
 * ```sh block of both runs, in one bash, against a fresh built server (in development mode,
 * as a new user starts it). Placeholders such as `APP=app_...` are filled from the output above them, the way a reader copies an id;
 * `localhost:4000` becomes the test server's port. Nothing a block prints may be an
 * error, and what the walk-through promises (a revoked key, an active token, a completed
 * rotation) must show up in the output.
 */

const ROOT_DIR = resolve(__dirname, '../..');
const SENTINEL = '__readme_step_done__';

let db: ProcessDatabase;
let server: TrackedProcess;
let shell: ChildProcessWithoutNullStreams;
let scratch: string;

beforeAll(async () => {
  db = await prepareProcessDatabase();
  const { NODE_ENV: _test, ...env } = db.env;
  server = await startTracked(db, env);
  scratch = mkdtempSync(join(tmpdir(), 'keygate-readme-'));
  shell = spawn('bash', ['--noprofile', '--norc'], { cwd: ROOT_DIR, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
}, 60_000);

afterAll(async () => {
  shell?.stdin.end();
  shell?.kill();
  await ensureStopped(server);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  await db?.drop();
});

/** Runs one step in the shared shell; resolves with what it printed and its last status. */
function run(script: string, index: number): Promise<{ stdout: string; stderr: string; status: number }> {
  const file = join(scratch, `step-${index}.sh`);
  writeFileSync(file, `${script}\n`);
  let stdout = '';
  let stderr = '';
  return new Promise((resolvePromise) => {
    const onOut = (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = new RegExp(`${SENTINEL}(\\d+)\\n$`).exec(stdout);
      if (!match) return;
      shell.stdout.off('data', onOut);
      shell.stderr.off('data', onErr);
      resolvePromise({ stdout: stdout.slice(0, match.index), stderr, status: Number(match[1]) });
    };
    const onErr = (chunk: Buffer) => (stderr += chunk.toString());
    shell.stdout.on('data', onOut);
    shell.stderr.on('data', onErr);
    shell.stdin.write(`source ${file}; printf '\\n${SENTINEL}%s\\n' $?\n`);
  });
}

describe('README.md and docs/guide.md', () => {
  it('leave no sh block unrun: every page with one is in the walk-through', () => {
    expect(pagesWithShellBlocks(ROOT_DIR).sort()).toEqual([...WALKTHROUGH].sort());
  });

  it('run every sh block in order against a fresh server, with no error', async () => {
    const blocks = WALKTHROUGH.flatMap((page) => shellBlocks(join(ROOT_DIR, page), page));
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const port = new URL(server.baseUrl).port;
    const known: Record<string, string> = { ROOT: db.rootKey };
    let lastOutput = '';
    let everything = '';
    const local = (script: string) => script.replaceAll('localhost:4000', `127.0.0.1:${port}`);
    for (const [index, step] of steps(blocks).entries()) {
      const result = await run(local(step.script), index);
      const where = `block at ${step.block.where}:\n${step.script}\n--- printed:\n${result.stdout}${result.stderr}`;
      expect(result.status, where).toBe(0);
      expect(result.stderr, where).toBe('');
      expect(result.stdout, where).not.toMatch(/"errors":\[|\{"error":\{/);
      if (result.stdout.trim()) lastOutput = result.stdout;
      everything += result.stdout;
      // Then the lines a reader fills in by copying from what was just printed.
      const filled = step.placeholders.map(({ name, prefix, comment }) => {
        const value = known[name] ?? lastValue(lastOutput, prefix);
        expect(value, `${step.block.where}: nothing like ${prefix}… above ${name}= in:\n${lastOutput}`).toBeDefined();
        return `${name}=${value}${comment}`;
      });
      if (filled.length) expect((await run(filled.join('\n'), index)).status).toBe(0);
    }
    // What the walk-through promises, seen in what it printed.
    expect(everything).toContain('"revokeApiKey":{"status":"REVOKED"');
    expect(everything).toMatch(/"viewer":\{"type":"API_KEY"/);
    expect(everything).toContain('"active":true');
    expect(everything).toContain('"valid":true');
    expect(everything).toContain('"completeRotation":{"status":"COMPLETED"');
    expect(everything).toMatch(/^x-keygate-app-id: app_/im);
    // The CLI part: the colleague's root key was revoked, the suite's own still works.
    expect(everything).toMatch(/^Revoked\s+\d{4}-/m);
  }, 120_000);
});
