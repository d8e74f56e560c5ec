import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSuite, createSecretKey, keyAction, keyRow, seriousA11yViolations, openMenuByKeyboard } from '../helpers/console-browser';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/** console-a11y's promise for the key-control and webhook screens: axe-core finds nothing serious, and each dialog works by keyboard alone. */
const suite = consoleSuite('console-a11y-controls.test.ts', { app: 'Accessible controls' });
let receiver: Receiver;

beforeAll(async () => {
  if (!suite.installed) return;
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

async function expectAccessible(screen: string) {
  const violations = await seriousA11yViolations(suite.page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}
const endpointRow = () => suite.page.getByRole('table').getByRole('row').filter({ has: suite.page.getByRole('rowheader', { name: receiver.url, exact: true }) });

describe.skipIf(!suite.installed)('key-control and webhook screens under axe-core', () => {
  it('the Create key dialog with every control field showing, including an error beside a field', async () => {
    await suite.page.getByRole('button', { name: 'Create key' }).click();
    const dialog = suite.page.getByRole('dialog');
    await dialog.getByLabel('Credits').fill('10');
    await dialog.getByLabel('Credit refill').selectOption('MONTHLY');
    await dialog.getByLabel('Refill amount').fill('10');
    await dialog.getByLabel('Refill day of month').fill('15');
    await dialog.getByLabel('Name').fill('controlled');
    await dialog.getByLabel('Metadata').fill('not json');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('Metadata must be valid JSON').waitFor();
    await expectAccessible('create key dialog with controls');
    await suite.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('the keys table with controls, the Edit and the Disable key dialogs', async () => {
    await createSecretKey(suite.page, 'edited');
    await expectAccessible('keys with owner, credits and IP columns');
    await keyAction(suite.page, 'edited', /Active/, 'Edit');
    await suite.page.getByRole('dialog', { name: 'Edit edited' }).waitFor();
    await expectAccessible('edit key dialog');
    await suite.page.keyboard.press('Escape');
    await keyAction(suite.page, 'edited', /Active/, 'Disable key');
    await suite.page.getByRole('dialog', { name: 'Disable edited?' }).waitFor();
    await expectAccessible('disable key dialog');
    await suite.page.keyboard.press('Escape');
    await suite.page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it('the webhooks page, the Create endpoint dialog, the signing secret, the deliveries and the Delete dialog', async () => {
    await suite.page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    await suite.page.getByText('No live endpoints yet.').waitFor();
    await expectAccessible('webhooks (empty)');
    await suite.page.getByRole('button', { name: 'Create endpoint' }).click();
    const dialog = suite.page.getByRole('dialog');
    await dialog.getByLabel('URL').fill('ftp://example.com/hooks');
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();
    await dialog.getByText('url must be http or https').waitFor();
    await expectAccessible('create endpoint dialog with an error');
    await dialog.getByLabel('URL').fill(receiver.url);
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();
    receiver.secret = await dialog.getByLabel('Signing secret').inputValue();
    await expectAccessible('signing secret reveal');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await endpointRow().getByRole('button', { name: 'Send test event' }).click();
    await suite.page.getByRole('region', { name: /^Deliveries to / }).getByRole('cell', { name: 'Succeeded' }).waitFor();
    await expectAccessible('webhooks with deliveries');
    await endpointRow().getByRole('button', { name: 'Delete' }).click();
    await suite.page.getByRole('dialog', { name: 'Delete endpoint?' }).waitFor();
    await expectAccessible('delete endpoint dialog');
    await suite.page.keyboard.press('Escape');
  });
});

describe.skipIf(!suite.installed)('the new dialogs by keyboard alone', () => {
  it('Create endpoint: open, fill, submit with Enter; the reveal asks before Escape loses the secret', async () => {
    await suite.page.getByRole('button', { name: 'Create endpoint' }).focus();
    await suite.page.keyboard.press('Enter');
    const dialog = suite.page.getByRole('dialog');
    await expect.poll(() => suite.page.evaluate(`document.activeElement?.closest('[role="dialog"]') !== null`)).toBe(true);
    await suite.page.keyboard.type(`${receiver.url}/second`);
    // Tab to the first event type and tick it with Space; Shift+Tab back to the URL, where Enter submits.
    await suite.page.keyboard.press('Tab');
    await suite.page.keyboard.press('Space');
    expect(await dialog.getByRole('checkbox', { name: 'key.created' }).isChecked()).toBe(true);
    await suite.page.keyboard.press('Shift+Tab');
    await suite.page.keyboard.press('Enter');
    await dialog.getByLabel('Signing secret').waitFor();
    await suite.page.keyboard.press('Escape');
    await dialog.getByText('You have not copied the signing secret.').waitFor();
    await suite.page.keyboard.press('Shift+Tab');
    await suite.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    const second = suite.page.getByRole('row').filter({ has: suite.page.getByRole('rowheader', { name: `${receiver.url}/second`, exact: true }) });
    await second.waitFor();
    expect((await second.getByRole('cell').allTextContents())[0]).toBe('key.created');
  });

  it('Disable key: focus starts on Cancel, Escape cancels, Shift+Tab then Enter disables', async () => {
    await suite.page.getByRole('navigation').getByRole('link', { name: 'Keys' }).click();
    const chooseDisable = async () => {
      await openMenuByKeyboard(suite.page, keyRow(suite.page, 'edited', /Active/).getByRole('button', { name: 'Actions for edited' }));
      // End, then up one: Revoke is last, Disable key just above it. Typeahead ('d') missed
      // "Disable key" on the second opening when other browser suites shared the machine.
      const focusedItem = (name: string) => suite.page.getByRole('menuitem', { name, exact: true }).and(suite.page.locator(':focus')).waitFor();
      await suite.page.keyboard.press('End');
      await focusedItem('Revoke');
      await suite.page.keyboard.press('ArrowUp');
      await focusedItem('Disable key');
      await suite.page.keyboard.press('Enter');
    };
    await chooseDisable();
    const dialog = suite.page.getByRole('dialog', { name: 'Disable edited?' });
    await dialog.waitFor();
    await expect.poll(() => suite.page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    // One Escape cancels, and focus goes back to the row's menu button (a moment after the
    // dialog hides: wait for it, or a menu opened before then would lose the focus to it).
    await suite.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => suite.page.evaluate("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent")).toBe('Actions for edited');
    await chooseDisable();
    await dialog.waitFor();
    await suite.page.keyboard.press('Shift+Tab');
    await suite.page.keyboard.press('Enter');
    await keyRow(suite.page, 'edited', /Disabled/).waitFor();
    expect(suite.ui.problems).toEqual([]);
  });
});
