import { useState } from 'react';
import { useMutation } from 'urql';
import { RegisterDocumentsDocument } from '../../gql/graphql';
import { useApiErrors } from '../../lib/useForm';
import { Dialog } from '../Dialog';
import { Field, FormError } from '../Field';
import { FormActions } from '../FormActions';

const SHAPE = 'a JSON object of {"<sha256 hex>": "<document>"}, as graphql-codegen’s persisted documents write it';

/** The manifest as the API takes it, or what is wrong with it in words (before the API would say it about a variable). */
function readManifest(text: string): { documents: Record<string, unknown> } | { error: string } {
  if (text.trim() === '') return { error: `Choose a manifest file or paste one: ${SHAPE}.` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: `The manifest is not valid JSON. It should be ${SHAPE}.` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: `The manifest should be ${SHAPE}.` };
  return { documents: parsed as Record<string, unknown> };
}

/** "Register documents": a manifest from a file or pasted; its refusal beside the field, its count on the page. */
export function RegisterDocumentsDialog({ appId, onClose, onRegistered }: { appId: string; onClose(): void; onRegistered(message: string): void }) {
  const [text, setText] = useState('');
  const [{ fetching }, register] = useMutation(RegisterDocumentsDocument);
  const errors = useApiErrors();

  const choose = async (file: File | undefined) => {
    errors.clear();
    if (file) setText(await file.text());
  };
  const submit = async () => {
    errors.clear();
    const manifest = readManifest(text);
    if ('error' in manifest) return errors.showFields({ documents: manifest.error });
    const result = await register({ appId, documents: manifest.documents });
    if (result.error) return errors.show(result.error);
    const added = result.data?.registerTrustedDocuments ?? 0;
    const known = Object.keys(manifest.documents).length - added;
    onRegistered(`${added} ${added === 1 ? 'document' : 'documents'} registered${known > 0 ? ` (${known} already registered)` : ''}.`);
    onClose();
  };

  return (
    <Dialog title="Register documents" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <FormError message={errors.formError} />
        <Field label="Manifest file" hint="persisted-documents.json, as graphql-codegen writes it">
          {(props) => <input {...props} type="file" accept="application/json,.json" onChange={(e) => void choose(e.target.files?.[0])} />}
        </Field>
        <Field label="Manifest JSON" error={errors.fieldError('documents')} hint="Or paste it here">
          {(props) => <textarea {...props} className="mono manifest" rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />}
        </Field>
        <FormActions submitLabel="Register documents" disabled={fetching} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
