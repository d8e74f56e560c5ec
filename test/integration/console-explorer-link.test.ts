import { describe, expect, it } from 'vitest';
import { consoleSuite } from '../helpers/console-browser';

/** The console links the API explorer (GraphiQL at /graphql) and opens it in a new tab, leaving the console as it was. */
const suite = consoleSuite('console-explorer-link.test.ts', { signIn: true });

describe.skipIf(!suite.installed)('the "API explorer" link', () => {
  it('points at /graphql and opens a new tab without an opener', async () => {
    const link = suite.ui.page.getByRole('link', { name: 'API explorer', exact: true });
    expect(await link.getAttribute('href')).toBe('/graphql');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect((await link.getAttribute('rel'))?.split(' ')).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));
    const [tab] = await Promise.all([suite.ui.context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState('domcontentloaded');
    expect(new URL(tab.url()).pathname).toBe('/graphql');
    expect(await tab.evaluate('window.opener')).toBeNull();
    await tab.close();
    expect(new URL(suite.ui.page.url()).pathname).toBe('/console/apps');
  });
});
