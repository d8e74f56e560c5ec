import { describe, expect, it } from 'vitest';
import { AppsDocument } from '../generated/graphql';
import { consoleSuite, createAppInConsole } from '../helpers/console-browser';

/** Root's screens: an app's settings and deletion, and the signing keys. */
const suite = consoleSuite('console-admin.test.ts', { signIn: true });

describe.skipIf(!suite.installed)('apps as root', () => {
  it('changes an app’s settings', async () => {
    await createAppInConsole(suite.page, 'Settings app');
    await suite.page.getByRole('navigation').getByRole('link', { name: 'Apps' }).click();
    await suite.page.getByRole('link', { name: 'Settings of Settings app' }).click();
    await suite.page.getByLabel('Allowed origins').fill('https://shop.example.com');
    await suite.page.getByLabel('Default token lifetime (seconds)').fill('900');
    await suite.page.getByRole('button', { name: 'Save settings' }).click();
    await suite.page.getByText('Saved.').waitFor();
    const apps = await suite.server.root.ok(AppsDocument, { first: 100 });
    expect(apps.apps.nodes.find((a) => a.name === 'Settings app')).toMatchObject({ allowedOrigins: ['https://shop.example.com'], defaultTokenLifetime: 900 });
  });

  it('deletes an app only once its name is typed', async () => {
    await suite.page.getByRole('button', { name: 'Delete app' }).click();
    const dialog = suite.page.getByRole('dialog', { name: 'Delete Settings app?' });
    const confirm = dialog.getByRole('button', { name: 'Delete app' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the app's name to confirm").fill('Settings ap');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the app's name to confirm").fill('Settings app');
    await confirm.click();
    await suite.page.getByRole('heading', { name: 'Apps' }).waitFor();
    const apps = await suite.server.root.ok(AppsDocument, { first: 100 });
    expect(apps.apps.nodes.map((a) => a.name)).not.toContain('Settings app');
  });
});

describe.skipIf(!suite.installed)('publishable keys', () => {
  it('are revealed as public and stay readable in the keys list', async () => {
    await createAppInConsole(suite.page, 'Web app');
    await suite.page.getByRole('button', { name: 'Create key' }).click();
    const dialog = suite.page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('web');
    await dialog.getByLabel('Kind').selectOption('PUBLISHABLE');
    expect(await dialog.getByLabel('Role').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('This publishable key is public by design').waitFor();
    const value = await dialog.getByLabel('Secret key').inputValue();
    expect(value).toMatch(/^pk_live_/);
    // Nothing is lost by closing without copying: no second question.
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await suite.page.getByRole('row').filter({ hasText: value }).waitFor();
  });
});

describe.skipIf(!suite.installed)('signing keys as root', () => {
  it('lists the current key and, after a rotation, the retired one', async () => {
    await suite.page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await suite.page.getByRole('heading', { name: 'Signing keys' }).waitFor();
    await suite.page.getByRole('button', { name: 'Rotate signing key' }).click();
    await suite.page.getByRole('dialog', { name: 'Rotate signing key' }).getByRole('button', { name: 'Rotate signing key' }).click();
    await suite.page.getByRole('dialog').waitFor({ state: 'hidden' });
    await suite.page.getByRole('button', { name: 'Rotate signing key' }).click();
    await suite.page.getByRole('dialog', { name: 'Rotate signing key' }).getByRole('button', { name: 'Rotate signing key' }).click();
    await suite.page.getByRole('cell', { name: /^Retired / }).first().waitFor();
    const states = await suite.page.getByRole('table').locator('tbody tr td:nth-child(4)').allTextContents();
    expect(states[0]).toBe('Current');
    expect(states.slice(1).every((s) => s.startsWith('Retired '))).toBe(true);
    expect(states.length).toBeGreaterThanOrEqual(2);
    await suite.ui.screenshot('settings');
    expect(suite.ui.problems).toEqual([]);
  });
});
