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
