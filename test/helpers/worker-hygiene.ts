import { afterAll } from 'vitest';

/**
 * A worker runs file after file in one process (vitest.config.ts: isolate false), so a file
 * that leaves a timer function or Date replaced (fake timers, a spy not restored) would stall
 * every later file in that worker at its first wait. This fails the file that left it instead.
 */
const GLOBALS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'queueMicrotask'] as const;
type Global = (typeof GLOBALS)[number];

const real = new Map<Global, unknown>(GLOBALS.map((name) => [name, globalThis[name]]));

afterAll(() => {
  const replaced = GLOBALS.filter((name) => globalThis[name] !== real.get(name));
  if (replaced.length) throw new Error(`this file left globalThis.${replaced.join(', globalThis.')} replaced (fake timers or a spy not restored); later files in this worker would wait forever`);
});
