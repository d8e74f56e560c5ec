import { type FormEvent, useState } from 'react';
import type { AppFieldsFragment } from '../gql/graphql';
import { fieldErrors, intOf, listOf, numberError } from '../lib/useForm';
import { Field } from './Field';
import { FormActions } from './FormActions';

export interface AppFormValues {
  name: string;
  allowedOrigins: string[];
  defaultTokenLifetime?: number;
  maxTokenLifetime?: number;
  publishableCanPublish: boolean;
}

interface AppFormProps {
  initial?: AppFieldsFragment;
  submitLabel: string;
  busy: boolean;
  fieldError(name: string): string | null;
  onSubmit(values: AppFormValues): void;
  /** Values refused before sending (a lifetime that is not a number), to show beside their fields. */
  onInvalid(errors: Record<string, string>): void;
  onCancel?(): void;
}

/** The app's settings, shared by "Create app" and the settings page. */
export function AppForm({ initial, submitLabel, busy, fieldError, onSubmit, onInvalid, onCancel }: AppFormProps) {
  const [name, setName] = useState(initial?.name ?? '');
  const [origins, setOrigins] = useState(initial?.allowedOrigins.join('\n') ?? '');
  const [defaultLifetime, setDefaultLifetime] = useState(initial ? String(initial.defaultTokenLifetime) : '');
  const [maxLifetime, setMaxLifetime] = useState(initial ? String(initial.maxTokenLifetime) : '');
  const [canPublish, setCanPublish] = useState(initial?.publishableCanPublish ?? false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const invalid = fieldErrors({
      defaultTokenLifetime: numberError(defaultLifetime, 'Default token lifetime'),
      maxTokenLifetime: numberError(maxLifetime, 'Maximum token lifetime'),
    });
    if (Object.keys(invalid).length > 0) return onInvalid(invalid);
    onSubmit({ name, allowedOrigins: listOf(origins), defaultTokenLifetime: intOf(defaultLifetime), maxTokenLifetime: intOf(maxLifetime), publishableCanPublish: canPublish });
  };

  return (
    <form onSubmit={submit}>
      <Field label="Name" error={fieldError('name')}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field label="Allowed origins" hint="One per line, e.g. https://app.example.com; the default for new publishable keys." error={fieldError('allowedOrigins')}>
        {(props) => <textarea {...props} rows={3} value={origins} onChange={(e) => setOrigins(e.target.value)} />}
      </Field>
      <Field label="Default token lifetime (seconds)" hint="Default 1800" error={fieldError('defaultTokenLifetime')}>
        {(props) => <input {...props} inputMode="numeric" value={defaultLifetime} onChange={(e) => setDefaultLifetime(e.target.value)} />}
      </Field>
      <Field label="Maximum token lifetime (seconds)" hint="Default 86400, at most 30 days" error={fieldError('maxTokenLifetime')}>
        {(props) => <input {...props} inputMode="numeric" value={maxLifetime} onChange={(e) => setMaxLifetime(e.target.value)} />}
      </Field>
      <div className="field checkbox">
        <label>
          <input type="checkbox" checked={canPublish} onChange={(e) => setCanPublish(e.target.checked)} /> Publishable keys may mint tokens that publish audio and video
        </label>
      </div>
      <FormActions submitLabel={submitLabel} disabled={busy} onCancel={onCancel} />
    </form>
  );
}
