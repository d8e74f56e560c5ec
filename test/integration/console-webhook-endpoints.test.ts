import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWebhookEndpointDocument, WebhookEndpointsDocument } from '../generated/graphql';
import { consoleSuite } from '../helpers/console-browser';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * Managing an endpoint in the console: a FAILED delivery retried, disabling and enabling, deleting
 * with a confirmation; and more endpoints than one page holds, none out of reach.
 */
// One attempt and no waiting: the first delivery fails for good, so it can be retried. A cap
// above the page size (20) lets the last part list two pages of one mode.
const suite = consoleSuite('console-webhook-endpoints.test.ts', { server: { env: { KEYGATE_WEBHOOK_RETRY_SCHEDULE: '0', KEYGATE_WEBHOOK_MAX_ENDPOINTS: '30' } }, app: 'Flaky app' });
let receiver: Receiver;
let appId: string;

beforeAll(async () => {
  if (!suite.installed) return;
  receiver = await startReceiver((n) => (n === 1 ? 500 : 204));
  appId = new URL(suite.page.url()).pathname.split('/')[3];
  await suite.page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
  await suite.page.getByRole('button', { name: 'Create endpoint' }).click();
  await suite.page.getByRole('dialog').getByLabel('URL').fill(receiver.url);
  await suite.page.getByRole('dialog').getByRole('button', { name: 'Create endpoint' }).click();
  await suite.page.getByRole('dialog').getByRole('button', { name: 'Copy' }).click();
  await suite.page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
});
afterAll(() => receiver?.close());

const row = () => suite.page.getByRole('table').getByRole('row').filter({ has: suite.page.getByRole('rowheader', { name: receiver.url, exact: true }) });
const endpoints = async () => (await suite.server.root.ok(WebhookEndpointsDocument, { appId, mode: 'LIVE' })).webhookEndpoints.nodes;

describe.skipIf(!suite.installed)('an endpoint’s deliveries and state', () => {
  it('lists an endpoint for all events by default', async () => {
    await row().waitFor();
    expect((await row().getByRole('cell').allTextContents()).slice(0, 2)).toEqual(['All events', 'Enabled']);
  });

  it('shows a FAILED delivery with its response status, and Retry delivers it', async () => {
    await row().getByRole('button', { name: 'Send test event' }).click();
    const deliveries = suite.page.getByRole('region', { name: `Deliveries to ${receiver.url}` });
    const failed = deliveries.getByRole('row').filter({ hasText: 'Failed' });
    await failed.waitFor();
    expect((await failed.getByRole('cell').allTextContents()).slice(0, 4)).toEqual(['Failed', '1', 'HTTP 500', expect.any(String)]);
    await failed.getByRole('button', { name: 'Retry' }).click();
    const succeeded = deliveries.getByRole('row').filter({ hasText: 'Succeeded' });
    await succeeded.waitFor();
    expect((await succeeded.getByRole('cell').allTextContents()).slice(0, 3)).toEqual(['Succeeded', '2', 'HTTP 204']);
    expect(receiver.received).toHaveLength(2);
  });

  it('filters the deliveries by status', async () => {
    const deliveries = suite.page.getByRole('region', { name: `Deliveries to ${receiver.url}` });
    await deliveries.getByLabel('Delivery status filter').selectOption('FAILED');
    await deliveries.getByText('No deliveries with this status yet.').waitFor();
    await deliveries.getByLabel('Delivery status filter').selectOption('');
    await deliveries.getByRole('row').filter({ hasText: 'Succeeded' }).waitFor();
  });

  it('disables and enables the endpoint', async () => {
    await row().getByRole('button', { name: 'Disable endpoint' }).click();
    await row().getByRole('cell', { name: 'Disabled' }).waitFor();
    expect(await row().getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);
    expect((await endpoints())[0]).toMatchObject({ enabled: false });
    await row().getByRole('button', { name: 'Enable endpoint' }).click();
    await row().getByRole('cell', { name: 'Enabled' }).waitFor();
    expect((await endpoints())[0]).toMatchObject({ enabled: true });
  });

  it('deletes only after the confirmation', async () => {
    await row().getByRole('button', { name: 'Delete' }).click();
    const dialog = suite.page.getByRole('dialog', { name: 'Delete endpoint?' });
    await suite.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await endpoints()).toHaveLength(1);
    await row().getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete endpoint' }).click();
    await suite.page.getByText('No live endpoints yet.').waitFor();
    expect(await endpoints()).toEqual([]);
    expect(suite.ui.problems).toEqual([]);
  });
});

describe.skipIf(!suite.installed)('more endpoints than a page holds', () => {
  let oldest: Receiver;
  afterAll(() => oldest?.close());

  it('pages through all 22, and shows the deliveries of one listed on the second page', async () => {
    // The oldest is listed last, on page 2; it alone has a receiver that answers.
    oldest = await startReceiver();
    const create = (url: string) => suite.server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url } });
    await create(oldest.url);
    for (let i = 0; i < 21; i++) await create(`http://127.0.0.1:9/more-${i}`);
    await suite.page.reload();
    const rows = suite.page.getByRole('table').getByRole('row');
    await suite.page.getByText('22 in all · page 1').waitFor();
    await expect.poll(() => rows.count()).toBe(1 + 20);
    await suite.page.getByRole('button', { name: 'Next page' }).click();
    await suite.page.getByText('22 in all · page 2').waitFor();
    // The page counter can show "page 2" a render before the rows change: wait for the rows themselves.
    await expect.poll(() => rows.count()).toBe(1 + 2);

    const last = rows.filter({ has: suite.page.getByRole('rowheader', { name: oldest.url, exact: true }) });
    await last.getByRole('button', { name: 'Send test event' }).click();
    const deliveries = suite.page.getByRole('region', { name: `Deliveries to ${oldest.url}` });
    await deliveries.getByRole('row').filter({ hasText: 'Succeeded' }).waitFor();
    expect(oldest.received).toHaveLength(1);
    expect(suite.ui.problems).toEqual([]);
  });
});
