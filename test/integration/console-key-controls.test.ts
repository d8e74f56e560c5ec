import { describe, expect, it } from 'vitest';
import { ApiKeyDocument } from '../generated/graphql';
import { consoleSuite, keyAction, keyRow, readReveal } from '../helpers/console-browser';

/** DESIGN.md "Key controls" in the console: owner, metadata, IP allow-list and credits from the Create key dialog. */
const suite = consoleSuite('console-key-controls.test.ts', { app: 'Controlled app' });

/** The key page's details, term → text. */
async function details(): Promise<Record<string, string>> {
  const terms = await suite.page.locator('.details-list dt').allTextContents();
  const values = await suite.page.locator('.details-list dd').allTextContents();
  return Object.fromEntries(terms.map((t, i) => [t, values[i]]));
}

async function openCreateKey() {
  await suite.page.getByRole('button', { name: 'Create key' }).click();
  const dialog = suite.page.getByRole('dialog', { name: /^Create key/ });
  await dialog.getByLabel('Kind').selectOption('SECRET');
  return dialog;
}

describe.skipIf(!suite.installed)('the Create key dialog with key controls', () => {
  it('refuses metadata that is not a JSON object beside the field, before asking the API', async () => {
    const dialog = await openCreateKey();
    await dialog.getByLabel('Name').fill('bad-meta');
    await dialog.getByLabel('Metadata').fill('["not", "an object"]');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => dialog.getByLabel('Metadata').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByText('Metadata must be a JSON object').waitFor();
    await suite.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await suite.page.getByRole('rowheader', { name: 'bad-meta' }).count()).toBe(0);
  });

  it('shows the API’s error for a bad IP entry beside "Allowed IPs" (extensions.field), naming the entry', async () => {
    const dialog = await openCreateKey();
    await dialog.getByLabel('Name').fill('bad-ip');
    await dialog.getByLabel('Allowed IPs').fill('10.0.0.0/8\nnot-an-address');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => dialog.getByLabel('Allowed IPs').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByText('not-an-address is not an IP address or CIDR range').waitFor();
    await suite.page.keyboard.press('Escape');
  });

  it('shows the API’s errors for oversized metadata and a negative balance beside their fields', async () => {
    const dialog = await openCreateKey();
    await dialog.getByLabel('Name').fill('too-big');
    await dialog.getByLabel('Metadata').fill(JSON.stringify({ blob: 'x'.repeat(5000) }));
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => dialog.getByLabel('Metadata').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByText('Metadata must be at most 4096 bytes as JSON').waitFor();
    await dialog.getByLabel('Metadata').fill('');
    await dialog.getByLabel('Credits').fill('-1');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => dialog.getByLabel('Credits').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByText(/^Credits must be between 0 and/).waitFor();
    await suite.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('creates a key with owner, metadata, credits with a refill and an IP list, and its page shows them', async () => {
    const dialog = await openCreateKey();
    await dialog.getByLabel('Name').fill('metered');
    await dialog.getByLabel('Owner').fill('customer-42');
    await dialog.getByLabel('Metadata').fill('{"plan": "pro"}');
    await dialog.getByLabel('Allowed IPs').fill('127.0.0.1\n10.0.0.0/8');
    await dialog.getByLabel('Credits').fill('100');
    await dialog.getByLabel('Credit refill').selectOption('DAILY');
    await dialog.getByLabel('Refill amount').fill('50');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await readReveal(suite.page);
    const row = keyRow(suite.page, 'metered', /Active/);
    await row.waitFor();
    const id = (await row.getAttribute('data-key-id')) as string;
    await row.getByRole('link', { name: 'metered' }).click();
    await suite.page.getByRole('heading', { level: 1, name: 'metered' }).waitFor();
    expect(await details()).toMatchObject({ Owner: 'customer-42', Credits: '100 left · refills 50 daily', 'Allowed IPs': '127.0.0.1, 10.0.0.0/8' });
    await suite.page.getByRole('link', { name: 'Keys of Controlled app' }).click();

    const { apiKey } = await suite.server.root.ok(ApiKeyDocument, { id });
    expect(apiKey).toMatchObject({ ownerId: 'customer-42', meta: { plan: 'pro' }, allowedIps: ['127.0.0.1', '10.0.0.0/8'], credits: { remaining: 100, refill: { interval: 'DAILY', amount: 50 } } });
  });

  it('filters the table by owner', async () => {
    await suite.page.getByLabel('Owner filter').fill('customer-42');
    await expect.poll(() => suite.page.getByRole('table').getByRole('rowheader').allTextContents()).toEqual(['metered']);
    await suite.page.getByLabel('Owner filter').fill('nobody');
    await suite.page.getByText('No live keys here.').waitFor();
    await suite.page.getByLabel('Owner filter').fill('');
    await suite.page.getByRole('rowheader', { name: 'metered' }).waitFor();
  });

  it('edits the owner and sends only what changed (the credit balance stays)', async () => {
    await keyAction(suite.page, 'metered', /Active/, 'Edit');
    const dialog = suite.page.getByRole('dialog', { name: 'Edit metered' });
    expect(await dialog.getByLabel('Metadata').inputValue()).toContain('"plan": "pro"');
    await dialog.getByLabel('Owner').fill('customer-43');
    await dialog.getByRole('button', { name: 'Save key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await keyRow(suite.page, 'metered', /Active/).getByRole('link', { name: 'metered' }).click();
    await expect.poll(async () => (await details()).Owner).toBe('customer-43');
    expect((await details()).Credits).toBe('100 left · refills 50 daily');
    await suite.ui.screenshot('docs-key-controls');
    expect(suite.ui.problems).toEqual([]);
  });
});
