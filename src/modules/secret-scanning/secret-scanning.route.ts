import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BodyTooLargeError, headerValue, readBody, sendJson } from '../../shared/http';
import { sendRestError } from '../http/rest-errors';
import type { RouteContext } from '../http/routes/route';
import type { AuditActor } from '../audit/audit.service';
import { PrincipalType } from '../auth/principal';
import { handleLeak, type LeakLabel } from './leak-report.service';

/** The audit actor id of reports from GitHub's secret scanning partner program. */
export const GITHUB_SECRET_SCANNING = 'github-secret-scanning';

const MAX_REPORT_BYTES = 1024 * 1024;
const MAX_TOKENS = 1000;
const text = (max: number) => z.string().max(max).nullish().catch(null);

/** GitHub's report: `[{"token","type","url","source"}]`; unknown fields are ignored. */
const report = z
  .array(z.object({ token: z.string().max(4096), type: z.string().max(200).catch(''), url: text(2048), source: text(200) }))
  .max(MAX_TOKENS);

/**
 * POST /secret-scanning/github — the GitHub secret scanning partner protocol. The raw
 * body must be signed by one of the configured keys; anything else is 401 before a
 * byte of it is interpreted. Each token is answered true or false positive.
 */
export async function secretScanningRoute(ctx: RouteContext): Promise<void> {
  const keys = ctx.runtime.secretScanning;
  if (!keys) return sendRestError(ctx.res, { status: 404, code: 'not_found', message: 'Secret scanning is not configured (KEYGATE_SECRET_SCANNING_KEYS)' });
  let raw: string;
  try {
    raw = await readBody(ctx.req, MAX_REPORT_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return sendRestError(ctx.res, { status: 413, code: 'invalid_request', message: error.message });
    throw error;
  }
  const signed = keys.verifies(headerValue(ctx.req, 'github-public-key-identifier'), headerValue(ctx.req, 'github-public-key-signature'), Buffer.from(raw, 'utf8'));
  if (!signed) return sendRestError(ctx.res, { status: 401, code: 'authentication_failed', message: 'The report is not signed by a configured secret-scanning key' });
  let items: z.infer<typeof report>;
  try {
    items = report.parse(JSON.parse(raw));
  } catch {
    return sendRestError(ctx.res, { status: 400, code: 'invalid_request', message: 'Expected a JSON array of {"token","type","url","source"}' });
  }
  // The code host reported it, not a key: the audit trail names it as the actor.
  const actor: AuditActor = { principal: { type: PrincipalType.SYSTEM, id: GITHUB_SECRET_SCANNING }, ip: ctx.ip, requestId: ctx.requestId };
  const answer: { token_hash: string; token_type: string; label: LeakLabel }[] = [];
  for (const item of items) {
    const label = await handleLeak(ctx.em.fork(), ctx.runtime, actor, { token: item.token, url: item.url ?? null, source: item.source ?? null });
    answer.push({ token_hash: createHash('sha256').update(item.token, 'utf8').digest('hex'), token_type: item.type, label });
  }
  sendJson(ctx.res, 200, answer, { 'cache-control': 'no-store' });
}
