import { beforeAll, describe, expect, it } from 'vitest';
import { type ConsolePage, consoleSuite, createSecretKey, keyAction, keyRow, openConsole, signInAs } from '../helpers/console-browser';
import { restClient, restError } from '../helpers/rest';

/** Disabling and enabling a key from the console; the verdict is read at GET /auth/verify, outside the browser. */
const suite = consoleSuite('console-key-disabling.test.ts', { app: 'Switch app' });
let secret: string;

beforeAll(async () => {
  if (!suite.installed) return;
  secret = await createSecretKey(suite.page, 'switchable', 'Read only');
});

const verify = () => restClient(suite.server.baseUrl).call('/auth/verify', { key: secret });

describe.skipIf(!suite.installed)('Disable key / Enable key', () => {
  it('asks before disabling; Cancel leaves the key working', async () => {
    expect((await verify()).status).toBe(200);
    await keyAction(suite.page, 'switchable', /Active/, 'Disable key');
    const dialog = suite.page.getByRole('dialog', { name: 'Disable switchable?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await verify()).status).toBe(200);
  });

  it('disables after the confirmation: the row says Disabled and verify answers 401 KEY_DISABLED', async () => {
    await keyAction(suite.page, 'switchable', /Active/, 'Disable key');
    await suite.page.getByRole('dialog', { name: 'Disable switchable?' }).getByRole('button', { name: 'Disable key' }).click();
    await keyRow(suite.page, 'switchable', /Disabled/).waitFor();
    expect(await restError(await verify(), 401)).toMatchObject({ code: 'authentication_failed', reason: 'KEY_DISABLED' });
  });

  it('enables again without a question: the row says Active and verify answers 200', async () => {
    await keyAction(suite.page, 'switchable', /Disabled/, 'Enable key');
    await keyRow(suite.page, 'switchable', /Active/).waitFor();
    const response = await verify();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ valid: true, key_id: expect.any(String) });
    expect(suite.ui.problems).toEqual([]);
  });

  it('offers neither action to a read-only key', async () => {
    const readOnly = await openConsoleAs(secret);
    await readOnly.page.getByRole('table').waitFor();
    // No action is left to it, so the row has no actions menu at all.
    await keyRow(readOnly.page, 'switchable', /Active/).waitFor();
    expect(await readOnly.page.getByRole('button', { name: /^Actions for / }).count()).toBe(0);
    await readOnly.close();
  });
});

async function openConsoleAs(key: string): Promise<ConsolePage> {
  const other = await openConsole(suite.browser, suite.server);
  await signInAs(other.page, key);
  return other;
}
