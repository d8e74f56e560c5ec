// @ts-check
'use strict';

/**
 * Summarises a V8 .cpuprofile as shares of the busy samples (idle excluded), grouped by
 * where the time went: Keygate's own code (by file), each library, Node's HTTP and socket
 * internals, garbage collection, and so on. Self time only, so shares add up to 100 %.
 */

const path = require('node:path');

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string }, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} CpuProfile
 */

/** The group one function's self time counts to. @param {ProfileNode['callFrame']} frame @param {string} root */
function groupOf({ functionName, url }, root) {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8/native, unattributed';
  if (functionName === 'writev' || functionName === 'writeBuffer' || functionName === 'writeUtf8String') return 'socket writes';
  if (/^(hmac|update|digest)$/i.test(functionName) && (url === '' || url.startsWith('node:internal/crypto'))) return 'HMAC (node:crypto)';
  if (url.includes('/node_modules/')) {
    const after = url.slice(url.lastIndexOf('/node_modules/') + '/node_modules/'.length).split('/');
    return `lib ${after[0].startsWith('@') ? `${after[0]}/${after[1]}` : after[0]}`;
  }
  if (url.startsWith('node:internal/async_hooks') || url.startsWith('node:internal/async_local_storage') || functionName === 'promiseInitHook' || functionName === 'promiseBeforeHook' || functionName === 'promiseAfterHook' || functionName === 'promiseResolveHook') return 'async hooks (AsyncLocalStorage)';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'HMAC (node:crypto)';
  if (/^node:(_http|http|internal\/http|net|internal\/stream|stream|internal\/streams|events|internal\/net|internal\/timers|timers|internal\/process|internal\/url|url|internal\/util)/.test(url) || url.startsWith('node:_')) return 'Node HTTP, streams, events';
  if (url.startsWith('node:')) return `node ${url.slice(5)}`;
  const file = url.startsWith('file://') ? url.slice(7) : url;
  if (file.startsWith(path.join(root, 'dist'))) return `keygate ${path.relative(path.join(root, 'dist'), file)}`;
  if (file === '') return functionName ? `native ${functionName}` : 'V8/native, unattributed';
  return `other ${path.basename(file)}`;
}

/**
 * @param {CpuProfile} profile
 * @param {string} root the project root (Keygate's files are under dist/)
 * @param {number} [lastMs] only the last this many milliseconds before the profile ended
 *   (the load, without start-up and migrations)
 * @returns {{ busyMs: number, groups: Array<{ group: string, ms: number, share: number }> }}
 */
function summarise(profile, root, lastMs = Infinity) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const microseconds = new Map();
  let busy = 0;
  const from = profile.endTime - lastMs * 1000;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || !node || node.callFrame.functionName === '(idle)') return;
    const group = groupOf(node.callFrame, root);
    microseconds.set(group, (microseconds.get(group) ?? 0) + delta);
    busy += delta;
  });
  const groups = [...microseconds]
    .map(([group, us]) => ({ group, ms: us / 1000, share: busy ? us / busy : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { busyMs: busy / 1000, groups };
}

/** Keygate's own files folded into one line, for the short table. @param {ReturnType<typeof summarise>['groups']} groups */
function folded(groups) {
  /** @type {Map<string, { ms: number, share: number }>} */
  const out = new Map();
  for (const g of groups) {
    const name = g.group.startsWith('keygate ') ? "Keygate's own code" : g.group;
    const prev = out.get(name) ?? { ms: 0, share: 0 };
    out.set(name, { ms: prev.ms + g.ms, share: prev.share + g.share });
  }
  return [...out].map(([group, v]) => ({ group, ...v })).sort((a, b) => b.ms - a.ms);
}

module.exports = { summarise, folded, groupOf };
