import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * `npm start` and `npm test` rebuild only what changed (scripts/build.js): a step of the
 * build runs when the content of its inputs moved since its last successful run, and only then.
 */

interface Step {
  root: string;
  inputs: string[];
  stamps: string[];
  build: () => void;
  force?: boolean;
}
const { filesUnder, step } = createRequire(__filename)('../../scripts/build-steps.js') as {
  filesUnder: (dir: string, skip?: string[]) => string[];
  step: (options: Step) => boolean;
};

let root: string;
let builds: number;
/** A step over src/ with its stamp in out/, counting the builds it runs. */
const bundle = (extra: Partial<Step> = {}) =>
  step({ root, inputs: filesUnder(join(root, 'src')), stamps: [join(root, 'out', '.build-stamp')], build: () => void builds++, ...extra });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'keygate-build-'));
  mkdirSync(join(root, 'src', 'deep'), { recursive: true });
  mkdirSync(join(root, 'out'));
  writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'src', 'deep', 'b.ts'), 'export const b = 2;\n');
  builds = 0;
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('a build step', () => {
  it('builds the first time, then not again while nothing changed', () => {
    expect(bundle()).toBe(true);
    expect(bundle()).toBe(false);
    expect(builds).toBe(1);
  });

  it('builds again when a file changes, even deep down and with the same size', () => {
    bundle();
    writeFileSync(join(root, 'src', 'deep', 'b.ts'), 'export const b = 3;\n');
    expect(bundle()).toBe(true);
    expect(builds).toBe(2);
  });

  it('builds again when a file is added, removed or renamed', () => {
    bundle();
    writeFileSync(join(root, 'src', 'c.ts'), '');
    expect(bundle()).toBe(true);
    rmSync(join(root, 'src', 'c.ts'));
    expect(bundle()).toBe(true);
    rmSync(join(root, 'src', 'a.ts'));
    writeFileSync(join(root, 'src', 'z.ts'), 'export const a = 1;\n');
    expect(bundle()).toBe(true);
    expect(builds).toBe(4);
  });

  it('builds again when its outputs were deleted (the stamp lives beside them)', () => {
    bundle();
    rmSync(join(root, 'out'), { recursive: true });
    mkdirSync(join(root, 'out'));
    expect(bundle()).toBe(true);
  });

  it('tries again after a build that failed', () => {
    expect(() => bundle({ build: () => { throw new Error('tsc: error'); } })).toThrow('tsc: error');
    expect(bundle()).toBe(true);
    expect(builds).toBe(1);
  });

  it('builds when forced, whatever the stamp says', () => {
    bundle();
    expect(bundle({ force: true })).toBe(true);
    expect(builds).toBe(2);
  });

  it('needs every one of its stamps to be current', () => {
    const stamps = [join(root, 'out', '.build-stamp'), join(root, 'out', 'other-stamp')];
    bundle({ stamps });
    rmSync(stamps[1]);
    expect(bundle({ stamps })).toBe(true);
  });
});
