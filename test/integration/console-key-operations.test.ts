import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_WIDTHS, type ConsolePage, consoleSuite, openConsole, seriousA11yViolations, sidewaysOverflow, signInAs } from '../helpers/console-browser';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, startGraphQLUpstream } from '../helpers/graphql-upstream';

/**
 * DESIGN.md "Gateway", usage: "the console shows it". A key's page lists the key's gateway
 * operations (name, requests, errors, cost) busiest first over a chosen period, says plainly
 * when there are none, at a laptop's 1280 px and a phone's 390 px. Real traffic: a GraphQL
 * upstream behind the gateway, operations sent through /gateway/graphql with the key.
 */
const SDL = /* GraphQL */ `
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM
  type Query {
    hello: String @cost(weight: 3)
    orders: String @cost(weight: 2)
    boom: String
  }
`;

let upstream: GraphQLUpstream;
// Filled before the suite's server starts (hooks run in the order they are registered).
const env: Record<string, string> = {};
beforeAll(async () => {
  upstream = await startGraphQLUpstream(SDL, {
    hello: 'world',
    orders: 'none yet',
    boom: () => {
      throw new Error('upstream failure');
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'keygate-console-operations-'));
  writeFileSync(join(dir, 'schema.graphql'), SDL);
  Object.assign(env, { KEYGATE_GATEWAY_UPSTREAM: upstream.url, KEYGATE_GATEWAY_SCHEMA: join(dir, 'schema.graphql') });
});
const suite = consoleSuite('console-key-operations.test.ts', { server: { env } });
afterAll(async () => {
  await upstream?.close();
});

async function throughGateway(key: string, query: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${suite.server.baseUrl}/gateway/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  }
}

/** Each body row as a person reads it: the operation, then its cells. */
async function rowsOf(table: ReturnType<Page['getByRole']>): Promise<string[][]> {
  await table.waitFor();
  return table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...(row as unknown as { children: { textContent: string }[] }).children].map((cell) => cell.textContent)));
}

for (const width of CONSOLE_WIDTHS) {
  describe.skipIf(!suite.installed)(`a key's gateway operations on its page at ${width} px`, () => {
    let ui: ConsolePage;
    let page: Page;
    let appId: string;
    let busy: { id: string; name: string };
    let idle: { id: string; name: string };
    const keyPage = (keyId: string) => `${suite.server.baseUrl}/console/apps/${appId}/keys/${keyId}`;

    beforeAll(async () => {
      if (!suite.installed) return;
      appId = (await createApp(suite.server.root, `Storefront ${width}`)).id;
      const key = await createKey(suite.server.root, { appId, mode: 'LIVE', role: 'READ_WRITE', name: `checkout-${width}` });
      busy = key;
      idle = await createKey(suite.server.root, { appId, mode: 'LIVE', role: 'READ_WRITE', name: `idle-${width}` });
      await throughGateway(key.secret, 'query Hello { hello }', 4);
      await throughGateway(key.secret, 'query ListOrders { orders }', 3);
      // The upstream's error comes back in a 200 answer; it counts as an error of the operation.
      await throughGateway(key.secret, 'query Boom { boom }', 2);
      await throughGateway(key.secret, '{ hello }', 1);
      ui = await openConsole(suite.browser, suite.server, width);
      page = ui.page;
      await signInAs(page, suite.server.rootKey);
    });
    afterAll(async () => {
      await ui?.close();
    });

    it('lists each operation with its requests, errors and cost, busiest first, for the last 24 hours unless another period is chosen', async () => {
      await page.goto(keyPage(busy.id));
      await page.getByRole('heading', { name: 'Operations', level: 2 }).waitFor();
      expect(await page.getByRole('combobox', { name: 'Period' }).inputValue()).toBe('24');
      const table = page.getByRole('table', { name: `Gateway operations of ${busy.name} in the last 24 hours, busiest first` });
      await table.waitFor();
      expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Operation', 'Requests', 'Errors', 'Cost (credits)']);
      expect(await table.getByRole('rowheader').allTextContents()).toEqual(['Hello', 'ListOrders', 'Boom', 'Anonymous']);
      const lastDay = [
        ['Hello', '4', '0', '12'],
        ['ListOrders', '3', '0', '6'],
        ['Boom', '2', '2', '0'],
        ['Anonymous', '1', '0', '3'],
      ];
      expect(await rowsOf(table)).toEqual(lastDay);
      expect({ overflow: await sidewaysOverflow(page) }).toEqual({ overflow: [] });
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.getByRole('heading', { name: 'Operations', level: 2 }).evaluate((h) => (h as unknown as { scrollIntoView(): void }).scrollIntoView());
      await ui.screenshot(`key-operations-${width}`);

      await page.getByRole('combobox', { name: 'Period' }).selectOption({ label: 'Last 7 days' });
      const week = page.getByRole('table', { name: `Gateway operations of ${busy.name} in the last 7 days, busiest first` });
      // All the traffic is from the last minutes: a longer period holds the same operations.
      expect(await rowsOf(week)).toEqual(lastDay);
      expect(ui.problems).toEqual([]);
    });

    it('says what an empty list means for a key with no gateway traffic, in the period chosen', async () => {
      await page.goto(keyPage(idle.id));
      await page.getByText('No gateway operations in the last 24 hours.').waitFor();
      expect(await page.getByRole('table', { name: /^Gateway operations of/ }).count()).toBe(0);
      await page.getByRole('combobox', { name: 'Period' }).selectOption({ label: 'Last 30 days' });
      await page.getByText('No gateway operations in the last 30 days.').waitFor();
      expect({ overflow: await sidewaysOverflow(page) }).toEqual({ overflow: [] });
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(ui.problems).toEqual([]);
    });
  });
}
