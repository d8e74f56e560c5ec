import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { BaseContext } from '@apollo/server';
import { pageSecurityHeaders } from '../shared/page-headers';

/**
 * The API explorer at GET /graphql (in a browser, while KEYGATE_SANDBOX is on): GraphiQL,
 * bundled from the npm registry (the `graphiql`, `react` and `react-dom` packages) and
 * served by this server, so it works without internet access — unlike Apollo Sandbox,
 * whose UI loads from Apollo's CDN. No inline script: the page loads explorer.js.
 * Nothing of it (headers carry the key) is kept in the browser's storage.
 */

const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** URL path → file and content type. Nothing else under /graphiql/ is served. */
const ASSETS: Record<string, { file: string; type: string } | { text: string; type: string }> = {
  '/graphiql/graphiql.min.css': { file: join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  '/graphiql/graphiql.min.js': { file: join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
  '/graphiql/react.production.min.js': { file: join(packageDir('react'), 'umd', 'react.production.min.js'), type: 'text/javascript; charset=utf-8' },
  '/graphiql/react-dom.production.min.js': { file: join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' },
  '/graphiql/explorer.js': {
    type: 'text/javascript; charset=utf-8',
    text: `'use strict';
const root = document.getElementById('graphiql');
const fetcher = GraphiQL.createFetcher({ url: new URL(root.dataset.endpoint, location.href).toString() });
const defaultQuery = [
  '# Keygate API explorer (GraphiQL, served by this Keygate server).',
  '# Put a key in the Headers tab below, e.g. {"Authorization": "Bearer rk_..."};',
  '# without one only the schema loads. Nothing is saved in this browser.',
  '',
  '{ viewer { type keyId permissions } }',
  '',
].join('\\n');
// GraphiQL's history saves each run query with its headers (the key) even when headers are
// not persisted: keep all of its state in memory, never in the browser's storage.
const memory = new Map();
const storage = {
  getItem: (k) => (memory.has(k) ? memory.get(k) : null),
  setItem: (k, v) => void memory.set(k, String(v)),
  removeItem: (k) => void memory.delete(k),
  clear: () => memory.clear(),
  get length() { return memory.size; },
};
ReactDOM.createRoot(root).render(
  React.createElement(GraphiQL, { fetcher, storage, defaultQuery, defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: false, isHeadersEditorEnabled: true }),
);
`,
  },
};

/** The page for one GraphQL endpoint (a path of this server): explorer.js reads it from the page, no inline script. */
const page = (endpoint: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Keygate API explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>body { margin: 0; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="${endpoint}">Loading the explorer…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script src="/graphiql/explorer.js"></script>
</body>
</html>
`;

/** The explorer's page headers: the console's policy, plus the inline styles and data: fonts GraphiQL needs. */
export const setExplorerHeaders = pageSecurityHeaders({ inlineStyles: true });

/** Apollo's landing page, replaced by the GraphiQL page for `endpoint`. */
export function explorerLandingPage(endpoint: string): ApolloServerPlugin<BaseContext> {
  const html = page(endpoint);
  return {
    async serverWillStart() {
      return { async renderLandingPage() { return { html }; } };
    },
  };
}

const cache = new Map<string, Buffer>();

/** Serves one explorer asset; false when `path` is not one. */
export function serveExplorerAsset(path: string, res: ServerResponse): boolean {
  const asset = ASSETS[path];
  if (!asset) return false;
  let body = cache.get(path);
  if (!body) {
    body = 'file' in asset ? readFileSync(asset.file) : Buffer.from(asset.text);
    cache.set(path, body);
  }
  res.writeHead(200, { 'content-type': asset.type, 'content-length': body.length, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
  res.end(body);
  return true;
}
