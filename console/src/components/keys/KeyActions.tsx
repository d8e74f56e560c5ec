import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { CompleteRotationDocument, RevokeApiKeyDocument, RotateApiKeyDocument } from '../../gql/graphql';
import { useApiErrors } from '../../lib/useForm';
import { Dialog } from '../Dialog';
import { Field, FormError } from '../Field';
import { SecretReveal } from '../SecretReveal';
import { RotationUse } from './RotationUse';
import { FormActions } from '../FormActions';

interface KeyRef {
  id: string;
  name: string;
  kind: string;
}

interface ActionProps {
  apiKey: KeyRef;
  onClose(): void;
  onDone(): void;
}

export function RevokeDialog({ apiKey, onClose, onDone }: ActionProps) {
  const [reason, setReason] = useState('');
  const [{ fetching }, revoke] = useMutation(RevokeApiKeyDocument);
  const errors = useApiErrors();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    const result = await revoke({ id: apiKey.id, reason: reason.trim() || null });
    if (result.error) return errors.show(result.error);
    onDone();
    onClose();
  };
  return (
    <Dialog title={`Revoke ${apiKey.name}?`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p>The key stops working at once, and every session token it minted becomes inactive. This cannot be undone.</p>
        <FormError message={errors.formError} />
        <Field label="Reason" hint="Optional; kept in the audit log" error={errors.fieldError('reason')}>
          {(props) => <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <FormActions submitLabel="Revoke key" tone="danger" disabled={fetching} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

const GRACE_PRESETS = [
  { value: '0', label: 'None: the old key stops now' },
  { value: '900', label: '15 minutes' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours' },
  { value: 'custom', label: 'Custom (up to 30 days)' },
];

export function RotateDialog({ apiKey, onClose, onDone }: ActionProps) {
  const [grace, setGrace] = useState('86400');
  const [customHours, setCustomHours] = useState('48');
  const [secret, setSecret] = useState<string | null>(null);
  const [{ fetching }, rotate] = useMutation(RotateApiKeyDocument);
  const errors = useApiErrors();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    const seconds = grace === 'custom' ? Math.round(Number(customHours) * 3600) : Number(grace);
    const result = await rotate({ id: apiKey.id, gracePeriodSeconds: seconds });
    if (result.error) return errors.show(result.error);
    if (result.data) {
      setSecret(result.data.rotateApiKey.secret);
      onDone();
    }
  };
  if (secret) return <SecretReveal title="The new key" secret={secret} publishable={apiKey.kind === 'PUBLISHABLE'} onDone={onClose} />;
  return (
    <Dialog title={`Rotate ${apiKey.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p>A new key replaces this one. The old key keeps working for the grace period, so you can deploy the new one first.</p>
        <FormError message={errors.formError} />
        <Field label="Grace period" error={errors.fieldError('gracePeriodSeconds')}>
          {(props) => (
            <select {...props} value={grace} onChange={(e) => setGrace(e.target.value)}>
              {GRACE_PRESETS.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {grace === 'custom' && (
          <Field label="Custom grace period (hours)" hint="At most 720 (30 days)">
            {(props) => <input {...props} type="number" min={0} max={720} step="any" value={customHours} onChange={(e) => setCustomHours(e.target.value)} />}
          </Field>
        )}
        <FormActions submitLabel="Rotate key" disabled={fetching} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

interface CompleteProps {
  rotation: { id: string; startedAt: string; graceEndsAt: string };
  oldKeyId: string;
  onClose(): void;
  onDone(): void;
}

export function CompleteRotationDialog({ rotation, oldKeyId, onClose, onDone }: CompleteProps) {
  const [{ fetching }, complete] = useMutation(CompleteRotationDocument);
  const errors = useApiErrors();
  const submit = async () => {
    errors.clear();
    const result = await complete({ id: rotation.id });
    if (result.error) return errors.show(result.error);
    onDone();
    onClose();
  };
  return (
    <Dialog title="Complete rotation" onClose={onClose}>
      <RotationUse oldKeyId={oldKeyId} startedAt={rotation.startedAt} graceEndsAt={rotation.graceEndsAt} />
      <p>Completing ends the grace period now: the old key stops working at once.</p>
      <FormError message={errors.formError} />
      <div className="actions">
        <button type="button" className="primary" disabled={fetching} onClick={() => void submit()}>
          Complete rotation
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
