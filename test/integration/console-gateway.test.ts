import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_SUITE_SKIPPED, browserLaunchError, browserSuite, launchBrowser, type LaunchedBrowser } from '../helpers/browser';
import { CONSOLE_WIDTHS, type ConsolePage, openConsole, seriousA11yViolations, sidewaysOverflow, signInAs } from '../helpers/console-browser';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, startGraphQLUpstream } from '../helpers/graphql-upstream';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Gateway", the console's Gateway page, driven as a person would in Chromium:
 * the upstream and its schema, the field rules, and the app's trusted documents (register
 * from pasted JSON or a file, remove after a confirmation, the policy) against a real
 * upstream that then runs what was registered. A READ_ONLY key sees it all and changes nothing.
 */

const SDL = /* GraphQL */ `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM
  type Query {
    hello: String @requiresScopes(scopes: [["public"]])
    count: Int @requiresScopes(scopes: [["public"]])
    report: Report @cost(weight: 5)
  }
  type Mutation {
    reset: Boolean
  }
  type Report {
    total: Int
    margin: Int @requiresScopes(scopes: [["finance"], ["admin"]])
  }
`;

const HELLO = 'query Hello { hello }';
const COUNT = 'query Count { count }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let server: TestServer;
let upstream: GraphQLUpstream;
let launched: LaunchedBrowser | null;
let appId: string;
let reader: string;
let testAdmin: string;
let publishable: string;

beforeAll(async () => {
  if (BROWSER_SUITE_SKIPPED) return;
  upstream = await startGraphQLUpstream(SDL, { hello: 'world', count: 7, report: { total: 1, margin: 2 }, reset: true });
  const dir = mkdtempSync(join(tmpdir(), 'keygate-console-gateway-'));
  writeFileSync(join(dir, 'schema.graphql'), SDL);
  server = await startTestServer({ env: { KEYGATE_GATEWAY_UPSTREAM: upstream.url, KEYGATE_GATEWAY_SCHEMA: join(dir, 'schema.graphql') } });
  appId = (await createApp(server.root, 'Storefront')).id;
  reader = (await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_ONLY', name: 'reader' })).secret;
  testAdmin = (await createKey(server.root, { appId, mode: 'TEST', role: 'ADMIN', name: 'test admin' })).secret;
  publishable = (await createKey(server.root, { appId, mode: 'LIVE', kind: 'PUBLISHABLE', name: 'web' })).secret;
  launched = await launchBrowser();
  if (!launched) throw new Error(browserLaunchError());
});
afterAll(async () => {
  await launched?.close();
  await server?.close();
  await upstream?.close();
});

async function openGatewayPage(key: string, width = 1280): Promise<ConsolePage> {
  const ui = await openConsole(launched!.browser, server, width);
  await signInAs(ui.page, key);
  await ui.page.goto(`${server.baseUrl}/console/apps/${appId}/gateway`);
  await ui.page.getByRole('heading', { name: 'Gateway of Storefront' }).waitFor();
  return ui;
}

const documentRow = (page: Page, operation: string) => page.getByRole('region', { name: 'Trusted documents' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: operation, exact: true }) });

/** The text the field's aria-describedby points at as its error: the one beside it. */
async function errorBeside(page: Page, label: string): Promise<string | null> {
  const input = page.getByRole('dialog').getByLabel(label, { exact: true });
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const id = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').find((i) => i.endsWith('-error'));
  return page.locator(`[id="${id}"]`).textContent();
}

/** The text of the element that has the focus (the test program has no DOM types: evaluated as a string). */
function focusedText(page: Page): Promise<unknown> {
  return page.evaluate('document.activeElement?.textContent');
}

async function gateway(key: string, body: Record<string, unknown>) {
  const response = await fetch(`${server.baseUrl}/gateway/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions: Record<string, unknown> }[] } };
}

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('the console’s Gateway page'), () => {
  for (const width of CONSOLE_WIDTHS) {
    it(`at ${width} px: the upstream and the field rules, found from the navigation, filterable, with no sideways scrolling and nothing serious for axe`, async () => {
      const ui = await openConsole(launched!.browser, server, width);
      const { page } = ui;
      await signInAs(page, server.rootKey);
      await page.getByRole('navigation').getByRole('link', { name: 'Gateway' }).click();
      await page.getByRole('heading', { name: 'Gateway of Storefront' }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/console/apps/${appId}/gateway`);

      const details = page.locator('dl.details-list');
      expect(await details.locator('dt').allTextContents()).toEqual(['State', 'Upstream', 'Test upstream', 'Schema source', 'Schema loaded at']);
      expect((await details.locator('dd').allTextContents()).slice(0, 4)).toEqual(['Ready', upstream.url, 'Same as the upstream', 'SDL file (KEYGATE_GATEWAY_SCHEMA)']);

      const rules = page.getByRole('region', { name: 'Field rules' });
      const rows = async () => (await rules.getByRole('row').all()).slice(1);
      const cells = async () => Promise.all((await rows()).map(async (row) => [await row.getByRole('rowheader').textContent(), ...(await row.getByRole('cell').allTextContents())]));
      expect(await cells()).toEqual([
        ['Query.hello', 'public', '@requiresScopes', '0'],
        ['Query.count', 'public', '@requiresScopes', '0'],
        ['Query.report', 'read', 'Built-in default', '5'],
        ['Mutation.reset', 'write', 'Built-in default', '0'],
        ['Report.margin', 'finance, or admin', '@requiresScopes', '0'],
      ]);
      await page.getByLabel('Filter rules').fill('finance');
      await page.getByText('1 of 5 fields').waitFor();
      expect((await cells()).map((c) => c[0])).toEqual(['Report.margin']);
      await page.getByLabel('Filter rules').fill('');
      await page.getByText('5 fields', { exact: true }).waitFor();

      expect(await sidewaysOverflow(page)).toEqual([]);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await ui.screenshot(`docs-gateway${width === 1280 ? '' : `-${width}`}`);
      expect(ui.problems).toEqual([]);
      await ui.close();
    });
  }

  it('registers documents from pasted JSON by keyboard alone: the count on the page, the rows in the list, focus back on the button', async () => {
    const ui = await openGatewayPage(server.rootKey);
    const { page } = ui;
    await page.getByText('No documents registered yet.').waitFor();
    const open = page.getByRole('button', { name: 'Register documents' });
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Register documents' });
    await dialog.getByLabel('Manifest JSON').focus();
    await page.keyboard.insertText(JSON.stringify({ [sha256(HELLO)]: HELLO, [sha256(COUNT)]: COUNT }));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('2 documents registered.').waitFor();
    await documentRow(page, 'Hello').waitFor();
    await documentRow(page, 'Count').waitFor();
    await expect.poll(() => focusedText(page)).toBe('Register documents');
    expect(ui.problems).toEqual([]);
    await ui.close();
  });

  it('takes a manifest file, and says beside the field, in plain words, what is wrong with a manifest', async () => {
    const ui = await openGatewayPage(server.rootKey);
    const { page } = ui;
    await page.getByRole('button', { name: 'Register documents' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register documents' });
    await dialog.getByLabel('Manifest JSON').fill('{ not json');
    await dialog.getByRole('button', { name: 'Register documents' }).click();
    expect(await errorBeside(page, 'Manifest JSON')).toBe('The manifest is not valid JSON. It should be a JSON object of {"<sha256 hex>": "<document>"}, as graphql-codegen’s persisted documents write it.');
    await dialog.getByLabel('Manifest JSON').fill(JSON.stringify({ [sha256(HELLO)]: COUNT }));
    await dialog.getByRole('button', { name: 'Register documents' }).click();
    await expect.poll(() => errorBeside(page, 'Manifest JSON')).toBe(`Entry 1 (${sha256(HELLO).slice(0, 12)}…): its hash does not match its document's SHA-256`);

    const REPORT = 'query Report { report { total } }';
    const manifest = JSON.stringify({ [sha256(HELLO)]: HELLO, [sha256(REPORT)]: REPORT });
    await dialog.getByLabel('Manifest file').setInputFiles({ name: 'persisted-documents.json', mimeType: 'application/json', buffer: Buffer.from(manifest) });
    await expect.poll(() => dialog.getByLabel('Manifest JSON').inputValue()).toBe(manifest);
    await dialog.getByRole('button', { name: 'Register documents' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('1 document registered (1 already registered).').waitFor();
    await documentRow(page, 'Report').waitFor();
    await ui.close();
  });

  it('removes a document only after its confirmation, whose safe choice has the focus', async () => {
    const ui = await openGatewayPage(server.rootKey);
    const { page } = ui;
    await documentRow(page, 'Report').getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove document?' });
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await documentRow(page, 'Report').waitFor();
    await documentRow(page, 'Report').getByRole('button', { name: 'Remove' }).click();
    await dialog.getByRole('button', { name: 'Remove document' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Document removed.').waitFor();
    await expect.poll(() => documentRow(page, 'Report').count()).toBe(0);
    await ui.close();
  });

  it('sets the policy, and the gateway then runs only registered documents for publishable keys', async () => {
    const ui = await openGatewayPage(server.rootKey);
    const { page } = ui;
    await page.getByLabel('Policy').selectOption({ label: 'Publishable keys run only registered documents' });
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy saved.').waitFor();
    expect(await gateway(publishable, { documentId: sha256(HELLO) })).toEqual({ status: 200, body: { data: { hello: 'world' }, extensions: { cost: { estimated: 0, remaining: null } } } });
    expect(await gateway(publishable, { query: '{ count }' })).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN', reason: 'DOCUMENT_NOT_TRUSTED' } }] } });
    await page.reload();
    expect(await page.getByLabel('Policy').inputValue()).toBe('PUBLISHABLE');
    await ui.close();
  });

  // Trusted documents are app-level like the app's settings: a test-mode key, even ADMIN, may read but not change them.
  for (const [who, key] of [['READ_ONLY', () => reader], ['a test-mode ADMIN key', () => testAdmin]] as const) {
    it(`${who}: sees the upstream, the rules, the policy and the documents, and is offered no change`, async () => {
      const ui = await openGatewayPage(key());
      const { page } = ui;
      await documentRow(page, 'Hello').waitFor();
      await page.getByText('Policy: Publishable keys run only registered documents.').waitFor();
      await page.getByRole('region', { name: 'Field rules' }).waitFor();
      for (const name of ['Register documents', 'Remove', 'Save policy']) expect({ name, count: await page.getByRole('button', { name }).count() }).toEqual({ name, count: 0 });
      expect(await page.getByLabel('Policy').count()).toBe(0);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await ui.close();
    });
  }
});

describe.skipIf(BROWSER_SUITE_SKIPPED)(browserSuite('the Gateway page without a gateway'), () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
    await createApp(plain.root, 'Plain');
  });
  afterAll(() => plain?.close());

  it('says plainly that none is configured and which variable turns it on, and still lists the app’s trusted documents', async () => {
    const ui = await openConsole(launched!.browser, plain);
    const { page } = ui;
    await signInAs(page, plain.rootKey);
    await page.getByRole('navigation').getByRole('link', { name: 'Gateway' }).click();
    await page.getByRole('heading', { name: 'Gateway of Plain' }).waitFor();
    await page.getByRole('heading', { name: 'Not configured' }).waitFor();
    expect(await page.getByText('This server runs no gateway.').textContent()).toContain('Set KEYGATE_GATEWAY_UPSTREAM to your GraphQL API’s URL');
    await page.getByText('No documents registered yet.').waitFor();
    expect(await page.getByRole('region', { name: 'Field rules' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await ui.close();
  });
});
