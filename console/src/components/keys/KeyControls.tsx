import { useState } from 'react';
import type { CreditsInput, KeyRowFragment, RefillInterval } from '../../gql/graphql';
import { fieldErrors, intOf, listOf, numberError, parseMeta } from '../../lib/useForm';
import { Field } from '../Field';

type Initial = Pick<KeyRowFragment, 'ownerId' | 'meta' | 'allowedIps' | 'credits'> | null;

/** What the key-control fields add to CreateApiKeyInput / UpdateApiKeyInput (null clears on update). */
export interface ControlsInput {
  ownerId?: string | null;
  meta?: Record<string, unknown> | null;
  allowedIps?: string[];
  credits?: CreditsInput | null;
}

/**
 * State of the owner, metadata, IP allow-list and credits fields. On create (no initial
 * key) empty fields are left out; on edit only what changed is sent, so saving a new
 * name does not reset a credit balance that was spent meanwhile.
 */
export function useKeyControls(initial: Initial) {
  const [owner, setOwner] = useState(initial?.ownerId ?? '');
  const [meta, setMeta] = useState(initial?.meta ? JSON.stringify(initial.meta, null, 2) : '');
  const [ips, setIps] = useState(initial?.allowedIps.join('\n') ?? '');
  const [credits, setCredits] = useState(initial?.credits ? String(initial.credits.remaining) : '');
  const [refill, setRefill] = useState<RefillInterval | ''>(initial?.credits?.refill?.interval ?? '');
  const [amount, setAmount] = useState(initial?.credits?.refill ? String(initial.credits.refill.amount) : '');
  const [day, setDay] = useState(initial?.credits?.refill?.dayOfMonth ? String(initial.credits.refill.dayOfMonth) : '');
  // The values the form opened with: an edit sends only what differs from them.
  const [start] = useState(() => ({ owner, meta, ips, credits, refill, amount, day }));
  const editing = initial !== null;

  /** The input fields, or the errors to show beside them (metadata that is not a JSON object, a number that is not one). */
  function read(): { input: ControlsInput } | { errors: Record<string, string> } {
    const parsed = parseMeta(meta);
    const errors = fieldErrors({
      meta: 'error' in parsed ? parsed.error : null,
      'credits.remaining': numberError(credits, 'Credits'),
      'credits.refill.amount': refill ? numberError(amount, 'Refill amount') : null,
      'credits.refill.dayOfMonth': refill === 'MONTHLY' ? numberError(day, 'Refill day of month') : null,
    });
    if ('error' in parsed || Object.keys(errors).length > 0) return { errors };
    const input: ControlsInput = {};
    const changed = (now: string, before: string) => (editing ? now !== before : now.trim() !== '');
    if (changed(owner, start.owner)) input.ownerId = owner.trim() || null;
    if (changed(meta, start.meta)) input.meta = parsed.value;
    if (changed(ips, start.ips)) input.allowedIps = listOf(ips);
    const creditsChanged = [credits !== start.credits, refill !== start.refill, amount !== start.amount, day !== start.day].some(Boolean);
    if (editing ? creditsChanged : credits.trim() !== '') {
      const remaining = intOf(credits);
      input.credits =
        remaining === undefined
          ? null
          : {
              remaining,
              refill: refill ? { interval: refill, amount: intOf(amount) ?? Number.NaN, dayOfMonth: refill === 'MONTHLY' ? (intOf(day) ?? null) : null } : null,
            };
    }
    return { input };
  }

  return { state: { owner, setOwner, meta, setMeta, ips, setIps, credits, setCredits, refill, setRefill, amount, setAmount, day, setDay }, read };
}

type Controls = ReturnType<typeof useKeyControls>['state'];

/** Owner, Metadata, Allowed IPs and Credits, each with the API's error beside it (extensions.field). */
export function KeyControlFields({ controls: c, fieldError }: { controls: Controls; fieldError(name: string): string | null }) {
  return (
    <>
      <Field label="Owner" hint="Optional: who the key belongs to in your system, e.g. a customer id" error={fieldError('ownerId')}>
        {(props) => <input {...props} value={c.owner} onChange={(e) => c.setOwner(e.target.value)} />}
      </Field>
      <Field label="Metadata" hint="Optional JSON object returned on verification; readable by anyone who can read the key, so no secrets" error={fieldError('meta')}>
        {(props) => <textarea {...props} rows={3} className="mono" spellCheck={false} value={c.meta} onChange={(e) => c.setMeta(e.target.value)} />}
      </Field>
      <Field label="Allowed IPs" hint="Optional: addresses or CIDR ranges, one per line; empty means anywhere" error={fieldError('allowedIps')}>
        {(props) => <textarea {...props} rows={2} className="mono" spellCheck={false} value={c.ips} onChange={(e) => c.setIps(e.target.value)} />}
      </Field>
      <Field label="Credits" hint="Optional: uses left before the key is refused; empty means unlimited" error={fieldError('credits.remaining') ?? fieldError('credits')}>
        {(props) => <input {...props} inputMode="numeric" value={c.credits} onChange={(e) => c.setCredits(e.target.value)} />}
      </Field>
      {c.credits.trim() !== '' && (
        <Field label="Credit refill" hint="The balance is set to the refill amount at UTC midnight">
          {(props) => (
            <select {...props} value={c.refill} onChange={(e) => c.setRefill(e.target.value as RefillInterval | '')}>
              <option value="">No refill</option>
              <option value="DAILY">Daily</option>
              <option value="MONTHLY">Monthly</option>
            </select>
          )}
        </Field>
      )}
      {c.credits.trim() !== '' && c.refill !== '' && (
        <Field label="Refill amount" error={fieldError('credits.refill.amount')}>
          {(props) => <input {...props} inputMode="numeric" value={c.amount} onChange={(e) => c.setAmount(e.target.value)} required />}
        </Field>
      )}
      {c.credits.trim() !== '' && c.refill === 'MONTHLY' && (
        <Field label="Refill day of month" hint="1 to 31 (default 1); short months refill on their last day" error={fieldError('credits.refill.dayOfMonth')}>
          {(props) => <input {...props} inputMode="numeric" value={c.day} onChange={(e) => c.setDay(e.target.value)} />}
        </Field>
      )}
    </>
  );
}
