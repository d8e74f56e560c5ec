import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { type KeyRowFragment, UpdateApiKeyDocument } from '../../gql/graphql';
import { useAppId } from '../../lib/useAppId';
import { useApiErrors } from '../../lib/useForm';
import { Dialog } from '../Dialog';
import { Field, FormError } from '../Field';
import { KeyControlFields, useKeyControls } from './KeyControls';
import { KeyScopeFields, useKeyScopes } from './KeyScopes';
import { ConfirmActions, FormActions } from '../FormActions';

interface Props {
  apiKey: KeyRowFragment;
  onClose(): void;
  onDone(): void;
}

/** Name, scopes, owner, metadata, IP allow-list and credits of a key; only the changed ones are sent. */
export function EditKeyDialog({ apiKey, onClose, onDone }: Props) {
  const [name, setName] = useState(apiKey.name);
  const appId = useAppId();
  const controls = useKeyControls(apiKey);
  const scopes = useKeyScopes(appId, apiKey.scopes);
  const [{ fetching }, update] = useMutation(UpdateApiKeyDocument);
  const errors = useApiErrors();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    const extra = controls.read();
    if ('errors' in extra) return errors.showFields(extra.errors);
    const result = await update({ id: apiKey.id, input: { ...(name !== apiKey.name ? { name } : {}), ...extra.input, ...scopes.input() } });
    if (result.error) return errors.show(result.error);
    onDone();
    onClose();
  };
  return (
    <Dialog title={`Edit ${apiKey.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <FormError message={errors.formError} />
        <Field label="Name" error={errors.fieldError('name')}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <KeyScopeFields scopes={scopes.state} appId={appId} error={errors.fieldError('scopes')} />
        <KeyControlFields controls={controls.state} fieldError={errors.fieldError} />
        <FormActions submitLabel="Save key" disabled={fetching} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** Disabling is reversible but stops every caller at once, so it asks first. */
export function DisableKeyDialog({ apiKey, onClose, onDone }: Props) {
  const [{ fetching }, update] = useMutation(UpdateApiKeyDocument);
  const errors = useApiErrors();
  const submit = async () => {
    errors.clear();
    const result = await update({ id: apiKey.id, input: { enabled: false } });
    if (result.error) return errors.show(result.error);
    onDone();
    onClose();
  };
  return (
    <Dialog title={`Disable ${apiKey.name}?`} onClose={onClose}>
      <p>The key is refused (KEY_DISABLED) until you enable it again. Unlike revoking, this can be undone.</p>
      <FormError message={errors.formError} />
      <ConfirmActions confirmLabel="Disable key" disabled={fetching} onConfirm={() => void submit()} onCancel={onClose} />
    </Dialog>
  );
}
