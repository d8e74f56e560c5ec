import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { CreateApiKeyDocument, type KeyKind, type KeyRole } from '../../gql/graphql';
import { useSession } from '../../lib/session';
import { fieldErrors, intOf, listOf, numberError, useApiErrors } from '../../lib/useForm';
import { Dialog } from '../Dialog';
import { Field, FormError } from '../Field';
import { SecretReveal } from '../SecretReveal';
import { KeyControlFields, useKeyControls } from './KeyControls';
import { KeyScopeFields, useKeyScopes } from './KeyScopes';
import { FormActions } from '../FormActions';

const ROLES: KeyRole[] = ['READ_ONLY', 'READ_WRITE', 'ADMIN'];
const ROLE_LABEL: Record<KeyRole, string> = { READ_ONLY: 'Read only', READ_WRITE: 'Read and write', ADMIN: 'Admin' };

/** No key may create one above its own role: only the roles the viewer may hand out are offered. */
function rolesFor(viewerRole: KeyRole | null | undefined, root: boolean): KeyRole[] {
  if (root || viewerRole === 'ADMIN') return ROLES;
  return [];
}

export function CreateKeyDialog({ appId, onClose, onCreated }: { appId: string; onClose(): void; onCreated(): void }) {
  const { viewer, mode, can } = useSession();
  const kinds: KeyKind[] = [...(can('keys:create_secret') ? (['SECRET'] as const) : []), ...(can('keys:create_publishable') ? (['PUBLISHABLE'] as const) : [])];
  const roles = rolesFor(viewer.role, viewer.type === 'ROOT');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<KeyKind>(kinds[0] ?? 'PUBLISHABLE');
  const [role, setRole] = useState<KeyRole>('READ_ONLY');
  const [expires, setExpires] = useState('');
  const [origins, setOrigins] = useState('');
  const [rateLimit, setRateLimit] = useState('');
  const [rateWindow, setRateWindow] = useState('60');
  const [created, setCreated] = useState<{ secret: string; publishable: boolean } | null>(null);
  const [{ fetching }, createKey] = useMutation(CreateApiKeyDocument);
  const errors = useApiErrors();
  const controls = useKeyControls(null);
  const scopes = useKeyScopes(appId, null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    const limit = intOf(rateLimit);
    const extra = controls.read();
    const invalid = { ...fieldErrors({ 'rateLimit.limit': numberError(rateLimit, 'Rate limit'), 'rateLimit.windowSeconds': numberError(rateWindow, 'Rate limit window') }), ...('errors' in extra ? extra.errors : {}) };
    if (Object.keys(invalid).length > 0 || 'errors' in extra) return errors.showFields(invalid);
    const result = await createKey({
      input: {
        appId,
        name,
        kind,
        mode,
        role: kind === 'SECRET' ? role : null,
        expiresAt: expires ? new Date(expires).toISOString() : null,
        allowedOrigins: kind === 'PUBLISHABLE' && origins.trim() ? listOf(origins) : undefined,
        rateLimit: limit === undefined ? undefined : { limit, windowSeconds: intOf(rateWindow) ?? 60 },
        ...extra.input,
        ...scopes.input(),
      },
    });
    if (result.error) return errors.show(result.error);
    if (result.data) {
      setCreated({ secret: result.data.createApiKey.secret, publishable: kind === 'PUBLISHABLE' });
      onCreated();
    }
  };

  if (created) return <SecretReveal title="Your new key" secret={created.secret} publishable={created.publishable} onDone={onClose} />;
  return (
    <Dialog title={`Create key (${mode === 'TEST' ? 'test' : 'live'} mode)`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <FormError message={errors.formError} />
        <Field label="Name" hint="What uses it, e.g. billing-backend" error={errors.fieldError('name')}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Kind" error={errors.fieldError('kind')}>
          {(props) => (
            <select {...props} value={kind} onChange={(e) => setKind(e.target.value as KeyKind)}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {k === 'SECRET' ? 'Secret (server side)' : 'Publishable (browser and apps)'}
                </option>
              ))}
            </select>
          )}
        </Field>
        {kind === 'SECRET' && (
          <Field label="Role" error={errors.fieldError('role')}>
            {(props) => (
              <select {...props} value={role} onChange={(e) => setRole(e.target.value as KeyRole)}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABEL[r]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Expires" hint="Optional; empty means never" error={errors.fieldError('expiresAt')}>
          {(props) => <input {...props} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}
        </Field>
        {kind === 'PUBLISHABLE' && (
          <Field label="Allowed origins" hint="One per line; empty takes the app's" error={errors.fieldError('allowedOrigins')}>
            {(props) => <textarea {...props} rows={2} value={origins} onChange={(e) => setOrigins(e.target.value)} />}
          </Field>
        )}
        <Field label="Rate limit (requests per window)" hint="Optional" error={errors.fieldError('rateLimit.limit')}>
          {(props) => <input {...props} inputMode="numeric" value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} />}
        </Field>
        {rateLimit.trim() !== '' && (
          <Field label="Rate limit window (seconds)" error={errors.fieldError('rateLimit.windowSeconds')}>
            {(props) => <input {...props} inputMode="numeric" value={rateWindow} onChange={(e) => setRateWindow(e.target.value)} />}
          </Field>
        )}
        <KeyScopeFields scopes={scopes.state} appId={appId} error={errors.fieldError('scopes')} />
        <KeyControlFields controls={controls.state} fieldError={errors.fieldError} />
        <FormActions submitLabel="Create key" disabled={fetching} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
