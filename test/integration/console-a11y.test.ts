import { describe, expect, it } from 'vitest';
import { consoleSuite, createAppInConsole, createSecretKey, keyAction, keyRow, readReveal, seriousA11yViolations, signInAs, openMenuByKeyboard } from '../helpers/console-browser';

/** axe-core on every screen and dialog (no serious or critical violation), and every dialog by keyboard alone. */
const suite = consoleSuite('console-a11y.test.ts');

const nav = (name: string) => suite.page.getByRole('navigation').getByRole('link', { name }).click();

async function expectAccessible(screen: string) {
  const violations = await seriousA11yViolations(suite.page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

describe.skipIf(!suite.installed)('every console screen under axe-core', () => {
  it('finds a seeded violation (the scan itself works)', async () => {
    await suite.page.getByLabel('API key').waitFor();
    await suite.page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<button id="seeded"></button>')`);
    expect((await seriousA11yViolations(suite.page)).map((v) => v.id)).toContain('button-name');
    await suite.page.evaluate(`document.getElementById('seeded').remove()`);
  });

  it('sign-in', async () => {
    await suite.page.getByLabel('API key').waitFor();
    await expectAccessible('sign-in');
    await signInAs(suite.page, suite.server.rootKey);
  });

  it('apps and the Create app dialog', async () => {
    await suite.page.getByRole('heading', { name: 'Apps' }).waitFor();
    await expectAccessible('apps');
    await suite.page.getByRole('button', { name: 'Create app' }).click();
    await suite.page.getByRole('dialog', { name: 'Create app' }).waitFor();
    await expectAccessible('create app dialog');
    await suite.page.keyboard.press('Escape');
    await suite.page.getByRole('dialog').waitFor({ state: 'hidden' });
    await createAppInConsole(suite.page, 'Accessible app');
  });

  it('keys, the Create key dialog, the reveal, Rotate and Revoke', async () => {
    await expectAccessible('keys (empty)');
    await suite.page.getByRole('button', { name: 'Create key' }).click();
    await suite.page.getByRole('dialog').getByLabel('Name').waitFor();
    await expectAccessible('create key dialog');
    await suite.page.keyboard.press('Escape');
    await createSecretKey(suite.page, 'worker');
    await keyAction(suite.page, 'worker', /Active/, 'Rotate');
    await suite.page.getByRole('dialog', { name: 'Rotate worker' }).waitFor();
    await expectAccessible('rotate dialog');
    await suite.page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    await suite.page.getByRole('dialog').getByLabel('Secret key').waitFor();
    await expectAccessible('secret reveal');
    await readReveal(suite.page);
    await keyAction(suite.page, 'worker', /Active/, 'Revoke');
    await suite.page.getByRole('dialog', { name: 'Revoke worker?' }).waitFor();
    await expectAccessible('revoke dialog');
    await suite.page.keyboard.press('Escape');
    await expectAccessible('keys (with rows)');
    await suite.ui.screenshot('keys-rotating');
  });

  it('usage, rotations, audit log, settings and app settings', async () => {
    await nav('Usage');
    await suite.page.getByRole('figure', { name: 'Usage' }).waitFor();
    await expectAccessible('usage');
    await nav('Rotations');
    await suite.page.getByRole('button', { name: 'Complete rotation' }).waitFor();
    await expectAccessible('rotations');
    await suite.ui.screenshot('rotations');
    await nav('Audit log');
    await suite.page.getByText(/^Chain verified/).waitFor();
    await expectAccessible('audit log');
    await nav('Settings');
    await suite.page.getByRole('heading', { name: 'Signing keys' }).waitFor();
    await expectAccessible('settings');
    await nav('Apps');
    await suite.page.getByRole('link', { name: 'Settings of Accessible app' }).click();
    await suite.page.getByRole('button', { name: 'Delete app' }).click();
    await suite.page.getByRole('dialog', { name: 'Delete Accessible app?' }).waitFor();
    await expectAccessible('delete app dialog');
    await suite.page.keyboard.press('Escape');
  });
});

describe.skipIf(!suite.installed)('dialogs by keyboard alone', () => {
  it('Create key: open, fill, submit with Enter; the reveal asks before Escape loses the key', async () => {
    await nav('Keys');
    await suite.page.getByRole('button', { name: 'Create key' }).focus();
    await suite.page.keyboard.press('Enter');
    const dialog = suite.page.getByRole('dialog');
    // The modal dialog moved focus to its first field.
    await expect.poll(() => suite.page.evaluate(`document.activeElement?.closest('[role="dialog"]') !== null`)).toBe(true);
    await suite.page.keyboard.type('keyboard-key');
    await suite.page.keyboard.press('Enter');
    await dialog.getByLabel('Secret key').waitFor();
    await suite.page.keyboard.press('Escape');
    await dialog.getByText('You have not copied the key.').waitFor();
    // Focus is on "Back"; one step back is "Close without copying".
    await suite.page.keyboard.press('Shift+Tab');
    await suite.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    // Closing a dialog returns focus to the control that opened it.
    await expect.poll(() => suite.page.evaluate('document.activeElement?.textContent')).toBe('Create key');
    await keyRow(suite.page, 'keyboard-key', /Active/).waitFor();
  });

  it('Revoke from the row menu: Escape cancels (focus back on the menu button), Enter on "Revoke key" revokes', async () => {
    const menuButton = keyRow(suite.page, 'keyboard-key', /Active/).getByRole('button', { name: 'Actions for keyboard-key' });
    const chooseRevoke = async () => {
      await openMenuByKeyboard(suite.page, menuButton);
      // End: the last item, Revoke (the menu opened on its first, Edit).
      await suite.page.keyboard.press('End');
      await suite.page.getByRole('menuitem', { name: 'Revoke', exact: true }).and(suite.page.locator(':focus')).waitFor();
      await suite.page.keyboard.press('Enter');
    };
    await chooseRevoke();
    const dialog = suite.page.getByRole('dialog', { name: 'Revoke keyboard-key?' });
    await dialog.waitFor();
    await suite.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => suite.page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Actions for keyboard-key');
    await chooseRevoke();
    await dialog.waitFor();
    await suite.page.keyboard.type('no longer needed');
    await suite.page.keyboard.press('Tab');
    await suite.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await keyRow(suite.page, 'keyboard-key', /Revoked/).waitFor();
    expect(suite.ui.problems).toEqual([]);
  });

  it('a menu opened in the moment a dialog closes stays open: the closed dialog does not take the focus back', async () => {
    await suite.page.getByRole('button', { name: 'Create key' }).click();
    const dialog = suite.page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('quick-key');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.getByText('You have not copied the key.').waitFor();
    // Faster than any hand, in one task: close the reveal, then Enter on the new row's menu button.
    await suite.page.evaluate(`(async () => {
      [...document.querySelectorAll('[role="dialog"] button')].find((b) => b.textContent === 'Close without copying').click();
      const menuButton = document.querySelector('button[aria-label="Actions for quick-key"]');
      menuButton.focus();
      menuButton.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      // The dialog gives focus back in a task queued as it unmounts (this microtask's turn); wait until that task has run.
      await null;
      await new Promise((resolve) => setTimeout(resolve));
    })()`);
    await suite.page.getByRole('menu').waitFor();
    expect(await suite.page.evaluate("document.activeElement?.closest('[role=menu]') !== null")).toBe(true);
    await suite.page.keyboard.press('Escape');
    await suite.page.getByRole('menu').waitFor({ state: 'hidden' });
    await expect.poll(() => suite.page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Actions for quick-key');
  });
});
