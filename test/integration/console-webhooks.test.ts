import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSuite, setTestMode } from '../helpers/console-browser';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/** DESIGN.md "Webhooks" in the console: an endpoint created in the dialog receives a signed test event, and its delivery shows up. */
const suite = consoleSuite('console-webhooks.test.ts', { app: 'Hooked app' });
let receiver: Receiver;
let signingSecret: string;

// NODE_ENV=test (the test server's): a loopback receiver is an allowed endpoint address.
beforeAll(async () => {
  if (!suite.installed) return;
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

const endpointRow = (url: string) => suite.page.getByRole('table').getByRole('row').filter({ has: suite.page.getByRole('rowheader', { name: url, exact: true }) });

describe.skipIf(!suite.installed)('webhook endpoints in the console', () => {
  it('creates an endpoint for chosen events and reveals its whsec_ signing secret once', async () => {
    await suite.page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    await suite.page.getByRole('heading', { name: 'Webhooks of Hooked app' }).waitFor();
    await suite.page.getByRole('button', { name: 'Create endpoint' }).click();
    const dialog = suite.page.getByRole('dialog', { name: /^Create endpoint/ });
    await dialog.getByLabel('URL').fill(receiver.url);
    const events = dialog.getByRole('group', { name: 'Events' });
    await events.getByRole('checkbox', { name: 'key.revoked' }).check();
    await events.getByRole('checkbox', { name: 'webhook.test' }).check();
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();

    const reveal = suite.page.getByRole('dialog', { name: "The endpoint's signing secret" });
    const field = reveal.getByLabel('Signing secret');
    signingSecret = await field.inputValue();
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(await field.getAttribute('readonly')).not.toBeNull();
    await reveal.getByText('You will not see it again.').waitFor();
    await reveal.getByRole('button', { name: 'Copy' }).click();
    await reveal.getByText('Copied to the clipboard.').waitFor();
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'hidden' });
    receiver.secret = signingSecret;

    await endpointRow(receiver.url).waitFor();
    const cells = await endpointRow(receiver.url).getByRole('cell').allTextContents();
    expect(cells.slice(0, 2)).toEqual(['key.revoked, webhook.test', 'Enabled']);
  });

  it('sends a test event: the receiver verifies its signature and the delivery reads Succeeded', async () => {
    await endpointRow(receiver.url).getByRole('button', { name: 'Send test event' }).click();
    const deliveries = suite.page.getByRole('region', { name: `Deliveries to ${receiver.url}` });
    const delivery = deliveries.getByRole('row').filter({ has: suite.page.getByRole('rowheader', { name: 'webhook.test' }) });
    await delivery.filter({ hasText: 'Succeeded' }).waitFor();
    expect((await delivery.getByRole('cell').allTextContents()).slice(0, 3)).toEqual(['Succeeded', '1', 'HTTP 204']);
    expect(await delivery.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(receiver.events('webhook.test')).toHaveLength(1);
    await suite.ui.screenshot('docs-webhooks');
  });

  it('shows only test-mode endpoints under the Test mode switch, and creates them in test mode', async () => {
    await setTestMode(suite.page, true);
    await suite.page.getByText('No test endpoints yet.').waitFor();
    expect(await suite.page.getByRole('rowheader', { name: receiver.url }).count()).toBe(0);
    await suite.page.getByRole('button', { name: 'Create endpoint' }).click();
    await suite.page.getByRole('dialog', { name: 'Create endpoint (test mode)' }).waitFor();
    await suite.page.keyboard.press('Escape');
    await setTestMode(suite.page, false);
    await endpointRow(receiver.url).waitFor();
  });

  it('never puts the signing secret in localStorage, sessionStorage or a URL', async () => {
    expect(signingSecret).toMatch(/^whsec_/);
    const stored = (await suite.page.evaluate(`({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), url: location.href })`)) as Record<string, string>;
    for (const place of Object.values(stored)) expect(place).not.toContain(signingSecret);
    expect(suite.ui.problems).toEqual([]);
  });
});
