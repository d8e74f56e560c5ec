import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { AppForm, type AppFormValues } from '../components/AppForm';
import { AppScopesForm } from '../components/AppScopesForm';
import { Dialog } from '../components/Dialog';
import { Field, FormError } from '../components/Field';
import { AppDocument, DeleteAppDocument, UpdateAppDocument } from '../gql/graphql';
import { useSession } from '../lib/session';
import { useApiErrors } from '../lib/useForm';
import { useAppId } from '../lib/useAppId';
import { FormActions } from '../components/FormActions';

export function AppSettingsPage() {
  const appId = useAppId();
  const { can } = useSession();
  const [{ data, error }] = useQuery({ query: AppDocument, variables: { id: appId } });
  const [{ fetching }, updateApp] = useMutation(UpdateAppDocument);
  const errors = useApiErrors();
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const app = data?.app;

  const save = async (values: AppFormValues) => {
    errors.clear();
    setSaved(false);
    const result = await updateApp({ id: appId, input: values });
    if (result.error) errors.show(result.error);
    else setSaved(true);
  };

  if (error) return <FormError message={error.message} />;
  if (!app) return data ? <p>No such app.</p> : <p className="loading">Loading…</p>;
  return (
    <section>
      <h1>Settings of {app.name}</h1>
      <p className="mono wrap">{app.id}</p>
      <FormError message={errors.formError} />
      {can('apps:update') ? (
        <AppForm key={app.id} initial={app} submitLabel="Save settings" busy={fetching} fieldError={errors.fieldError} onInvalid={errors.showFields} onSubmit={(v) => void save(v)} />
      ) : (
        <p>Your key may not change this app's settings.</p>
      )}
      <p role="status">{saved ? 'Saved.' : ''}</p>
      {can('apps:update') ? (
        <AppScopesForm key={app.id} app={app} />
      ) : (
        <>
          <h2>Scopes</h2>
          <p>{app.scopes.length > 0 ? app.scopes.map((s) => s.name).join(', ') : 'No scopes declared.'}</p>
        </>
      )}
      {can('apps:delete') && (
        <div className="danger-zone">
          <h2>Delete app</h2>
          <p>Deleting the app revokes every one of its keys at once. This cannot be undone.</p>
          <button type="button" className="danger" onClick={() => setDeleting(true)}>
            Delete app
          </button>
        </div>
      )}
      {deleting && <DeleteAppDialog appId={app.id} name={app.name} onClose={() => setDeleting(false)} />}
    </section>
  );
}

/** Deleting needs the app's name typed out: no slip of the mouse deletes an app. */
function DeleteAppDialog({ appId, name, onClose }: { appId: string; name: string; onClose(): void }) {
  const [typed, setTyped] = useState('');
  const [{ fetching }, deleteApp] = useMutation(DeleteAppDocument);
  const errors = useApiErrors();
  const navigate = useNavigate();
  const { link } = useSession();
  const submit = async () => {
    const result = await deleteApp({ id: appId });
    if (result.error) return errors.show(result.error);
    navigate(link('/apps'));
  };
  return (
    <Dialog title={`Delete ${name}?`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <FormError message={errors.formError} />
        <Field label="Type the app's name to confirm" hint={name}>
          {(props) => <input {...props} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}
        </Field>
        <FormActions submitLabel="Delete app" tone="danger" disabled={typed !== name || fetching} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
