import { expect } from 'vitest';

/**
 * For the few tests on the real clock (a deadline the server reads from its own clock, the
 * same one as the test's): sends `request` until it is refused, and checks every answer
 * against `deadline` as the server must have seen it — accepted only if sent before the
 * deadline, refused only if answered after it. No margin to guess, and a slow machine can
 * make the wait longer but not the result different. Returns the refusal.
 */
export async function untilRefusedAt<T extends { status: number }>(deadline: number, request: () => Promise<T>, whileAccepted: () => Promise<void> = async () => undefined): Promise<T> {
  for (;;) {
    const sentAt = Date.now();
    const answer = await request();
    const answeredAt = Date.now();
    if (answer.status !== 200) {
      expect(answeredAt, `refused (${answer.status}) before the deadline`).toBeGreaterThanOrEqual(deadline);
      return answer;
    }
    expect(sentAt, 'accepted though sent after the deadline').toBeLessThan(deadline);
    await whileAccepted();
    // Polling pace until the deadline has passed; the refusal itself is what is waited for.
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(0, deadline - Date.now()))));
  }
}
