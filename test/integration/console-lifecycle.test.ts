import { describe, expect, it } from 'vitest';
import { consoleSuite, createAppInConsole, createSecretKey, keyAction, keyRow, readReveal, signInAs, verifyStatus, setTestMode } from '../helpers/console-browser';

/**
 * The whole key lifecycle as an operator does it, in headless Chromium against a real
 * Keygate (SQLite or PostgreSQL per KEYGATE_TEST_DB); each key is then checked from
 * outside the browser, at GET /auth/verify.
 */
const suite = consoleSuite('console-lifecycle.test.ts');

describe.skipIf(!suite.installed)('the key lifecycle in the console', () => {
  let first: string;
  let second: string;

  it('signs in with the root key and says who you are', async () => {
    const { page } = suite.ui;
    await page.getByRole('heading', { name: 'Keygate Console' }).waitFor();
    await suite.ui.screenshot('sign-in');
    await signInAs(page, suite.server.rootKey);
    expect(await page.getByLabel('Signed in as').textContent()).toBe('Root key · all apps');
    expect(page.url()).toBe(`${suite.server.baseUrl}/console/apps`);
  });

  it('creates an app, then a secret key whose revealed value works at /auth/verify', async () => {
    const { page } = suite.ui;
    await createAppInConsole(page, 'Lifecycle app');
    first = await createSecretKey(page, 'backend');
    expect(first).toMatch(/^sk_live_/);
    expect(await verifyStatus(suite.server, first)).toBe(200);
    await keyRow(page, 'backend', /Active/).waitFor();
    await suite.ui.screenshot('keys');
  });

  it('rotates with a grace period: both keys work until the rotation completes', async () => {
    const { page } = suite.ui;
    await keyAction(page, 'backend', /Active/, 'Rotate');
    const dialog = page.getByRole('dialog', { name: 'Rotate backend' });
    await dialog.getByLabel('Grace period').selectOption({ label: '1 hour' });
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    second = await readReveal(page);
    expect(second).not.toBe(first);
    expect(await verifyStatus(suite.server, first)).toBe(200);
    expect(await verifyStatus(suite.server, second)).toBe(200);
    await keyRow(page, 'backend', /Rotating · (5\d min|1 h 0 min) left/).waitFor();

    await keyAction(page, 'backend', /Rotating/, 'Complete rotation');
    const complete = page.getByRole('dialog', { name: 'Complete rotation' });
    // The old key was just verified: the panel says it is still in use.
    await complete.getByText(/The old key is still in use: \d+ verification/).waitFor();
    await suite.ui.screenshot('docs-complete-rotation');
    await complete.getByRole('button', { name: 'Complete rotation' }).click();
    await complete.waitFor({ state: 'hidden' });
    expect(await verifyStatus(suite.server, first)).toBe(401);
    expect(await verifyStatus(suite.server, second)).toBe(200);
  });

  it('revokes the new key with a reason: refused from then on', async () => {
    const { page } = suite.ui;
    await keyAction(page, 'backend', /Active/, 'Revoke');
    const dialog = page.getByRole('dialog', { name: 'Revoke backend?' });
    await dialog.getByLabel('Reason').fill('lifecycle test');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await verifyStatus(suite.server, second)).toBe(401);
    expect(await page.getByRole('row').filter({ hasText: /Revoked/ }).count()).toBeGreaterThanOrEqual(1);
  });

  it('shows the verifications and failures in the usage chart', async () => {
    const { page } = suite.ui;
    await page.getByRole('navigation').getByRole('link', { name: 'Usage' }).click();
    const figure = page.getByRole('figure', { name: 'Usage' }).first();
    await figure.waitFor();
    // first: 2 good + 1 refused after completion; second: 2 good + 1 refused after revocation.
    await expect.poll(async () => Number(await figure.locator('[data-total="verifications"]').textContent()), { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    expect(Number(await figure.locator('[data-total="failures"]').textContent())).toBeGreaterThanOrEqual(2);
    expect(await figure.locator('canvas').count()).toBeGreaterThan(0);
    await suite.ui.screenshot('usage');
  });

  it('shows what happened in the audit log, with the chain verified', async () => {
    const { page } = suite.ui;
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByRole('table');
    await table.getByText('key.revoke').waitFor();
    // The refused verifications are audited too (auth.failure); the changes, newest first:
    const actions = (await table.locator('tbody tr td:nth-child(2)').allTextContents()).filter((a) => a !== 'auth.failure');
    expect(actions.slice(0, 4)).toEqual(['key.revoke', 'rotation.complete', 'key.rotate', 'key.create']);
    await page.getByText(/^Chain verified: \d+ events intact$/).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await (await download).createReadStream().then(async (stream) => {
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      return text;
    });
    expect(csv.split('\r\n')[0]).toBe('at,action,mode,actor_type,actor_id,target_id,ip,details');
    expect(csv).toContain(',key.revoke,');
    await suite.ui.screenshot('audit-log');
  });

  it('shows only test keys under the Test mode switch', async () => {
    const { page } = suite.ui;
    await page.getByRole('navigation').getByRole('link', { name: 'Keys' }).click();
    await keyRow(page, 'backend', /Revoked/).first().waitFor();
    await setTestMode(page, true);
    await page.getByText('Test mode: you are viewing test data.').waitFor();
    await page.getByText('No test keys here.').waitFor();
    const testKey = await createSecretKey(page, 'sandbox', 'Read only');
    expect(testKey).toMatch(/^sk_test_/);
    await keyRow(page, 'sandbox', /Active/).waitFor();
    expect(await page.getByRole('rowheader', { name: 'backend' }).count()).toBe(0);
    await suite.ui.screenshot('keys-test-mode');
    await setTestMode(page, false);
    await keyRow(page, 'backend', /Revoked/).first().waitFor();
    expect(await page.getByRole('rowheader', { name: 'sandbox' }).count()).toBe(0);
  });

  it('signs out: the session cookie no longer works anywhere', async () => {
    const { page, context } = suite.ui;
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'keygate_console', httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await context.cookies()).toEqual([]);
    const response = await fetch(`${suite.server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${cookie.name}=${cookie.value}`, origin: suite.server.baseUrl, 'apollo-require-preflight': 'true' },
      body: JSON.stringify({ query: '{ viewer { type } }' }),
    });
    expect(response.status).toBe(401);
    expect(suite.ui.problems).toEqual([]);
  });
});
