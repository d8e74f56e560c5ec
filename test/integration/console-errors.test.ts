import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleSuite, createAppInConsole, signInAs } from '../helpers/console-browser';

/** What the console does with refusals: field errors beside their field, an ended session, a wrong key. */
const suite = consoleSuite('console-errors.test.ts');

/** The error the input's aria-describedby points at. */
async function errorOf(page: Page, label: string): Promise<string | null> {
  const input = page.getByRole('dialog').getByLabel(label, { exact: true });
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  expect(ids).toHaveLength(1);
  return page.locator(`[id="${ids[0]}"]`).textContent();
}

describe.skipIf(!suite.installed)('refusals in the console', () => {
  it('says why a key cannot sign in', async () => {
    await suite.page.getByLabel('API key').fill('sk_live_not-a-real-key');
    await suite.page.getByRole('button', { name: 'Sign in' }).click();
    await suite.page.getByRole('alert').filter({ hasText: 'Invalid API key provided' }).waitFor();
    await signInAs(suite.page, suite.server.rootKey);
  });

  it('shows a BAD_USER_INPUT error next to the field it names', async () => {
    await suite.page.getByRole('button', { name: 'Create app' }).click();
    const dialog = suite.page.getByRole('dialog', { name: 'Create app' });
    await dialog.getByLabel('Name').fill('Lifetimes');
    await dialog.getByLabel('Default token lifetime (seconds)').fill('5000');
    await dialog.getByLabel('Maximum token lifetime (seconds)').fill('600');
    await dialog.getByRole('button', { name: 'Create app' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await errorOf(suite.page, 'Default token lifetime (seconds)')).toBe('Default token lifetime must not exceed Maximum token lifetime');
    await suite.page.keyboard.press('Escape');
  });

  it('shows a bad key name next to the Name field of Create key', async () => {
    await createAppInConsole(suite.page, 'Errors app');
    await suite.page.getByRole('button', { name: 'Create key' }).click();
    const dialog = suite.page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('   ');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await errorOf(suite.page, 'Name')).toMatch(/name/i);
    await suite.page.keyboard.press('Escape');
  });

  it('offers to sign in again when the session ends under it', async () => {
    const [cookie] = await suite.ui.context.cookies();
    // Signed out elsewhere (another tab, say): the server forgets the session.
    const out = await fetch(`${suite.server.baseUrl}/console/session`, { method: 'DELETE', headers: { cookie: `${cookie.name}=${cookie.value}`, origin: suite.server.baseUrl } });
    expect(out.status).toBe(204);
    await suite.page.getByRole('navigation').getByRole('link', { name: 'Apps' }).click();
    await suite.page.getByText('Your session has ended').waitFor();
    await signInAs(suite.page, suite.server.rootKey);
    await suite.page.getByRole('heading', { name: 'Apps' }).waitFor();
    expect(suite.ui.problems).toEqual([]);
  });
});
