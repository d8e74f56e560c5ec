import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { type AppScopeListFragment, UpdateAppDocument } from '../gql/graphql';
import { plural } from '../lib/format';
import { useApiErrors } from '../lib/useForm';
import { Dialog } from './Dialog';
import { FormError } from './Field';
import { ConfirmActions, FormActions } from './FormActions';

interface Row {
  /** Stable across edits and removals, so React keeps each row's inputs (and focus) in place. */
  key: number;
  name: string;
  description: string;
}

/**
 * The app's declared scopes (DESIGN.md, Scopes): rows of name and description, saved as a
 * whole. Saving without a scope that was declared takes it from every key at once, and
 * declaring it again grants it to none, so that save asks first.
 */
export function AppScopesForm({ app }: { app: AppScopeListFragment & { id: string } }) {
  const [rows, setRows] = useState<Row[]>(() => app.scopes.map((s, i) => ({ key: i, name: s.name, description: s.description ?? '' })));
  const [nextKey, setNextKey] = useState(app.scopes.length);
  const [confirming, setConfirming] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, updateApp] = useMutation(UpdateAppDocument);
  const errors = useApiErrors();
  const id = useId();
  const error = errors.fieldError('scopes');
  const errorId = `${id}-error`;

  const edit = (key: number, change: Partial<Row>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const add = () => {
    setRows((all) => [...all, { key: nextKey, name: '', description: '' }]);
    setNextKey(nextKey + 1);
  };
  const kept = new Set(rows.map((r) => r.name.trim()));
  const removed = app.scopes.map((s) => s.name).filter((name) => !kept.has(name));

  const save = async () => {
    setConfirming(null);
    errors.clear();
    setSaved(false);
    const scopes = rows.map((r) => ({ name: r.name.trim(), description: r.description.trim() || null }));
    const result = await updateApp({ id: app.id, input: { scopes } });
    if (result.error) return errors.show(result.error);
    setSaved(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (removed.length > 0) setConfirming(removed);
    else void save();
  };

  // The API names the list, not the row: the row whose name the message quotes is the one to fix.
  const rowInvalid = (name: string) => error !== null && name.trim() !== '' && error.includes(`"${name.trim()}"`);
  return (
    <form onSubmit={submit} className="scopes-form">
      <h2 id={`${id}-heading`}>Scopes</h2>
      {/* Named by the heading: a legend repeating it would read "Scopes" twice. */}
      <fieldset className="scopes" aria-labelledby={`${id}-heading`} aria-describedby={`${id}-hint${error ? ` ${errorId}` : ''}`}>
        <small id={`${id}-hint`} className="hint">
          Permissions of your own API that keys can be granted, e.g. orders:read. Every key also has the built-in public, read, write and admin its kind and role give it.
        </small>
        {rows.length === 0 && <p>No scopes declared.</p>}
        {rows.map((row, i) => (
          <div key={row.key} className="scope-row">
            <label>
              Name<span className="visually-hidden"> of scope {i + 1}</span>
              <input
                className="mono"
                value={row.name}
                onChange={(e) => edit(row.key, { name: e.target.value })}
                required
                spellCheck={false}
                autoCapitalize="off"
                aria-invalid={rowInvalid(row.name)}
                aria-describedby={rowInvalid(row.name) ? errorId : undefined}
              />
            </label>
            <label>
              Description<span className="visually-hidden"> of scope {i + 1}</span>
              <input value={row.description} onChange={(e) => edit(row.key, { description: e.target.value })} />
            </label>
            <button type="button" onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}>
              Remove<span className="visually-hidden"> scope {row.name.trim() || i + 1}</span>
            </button>
          </div>
        ))}
        {error && (
          <small id={errorId} className="field-error" role="alert">
            {error}
          </small>
        )}
        <div>
          <button type="button" onClick={add}>
            Add scope
          </button>
        </div>
      </fieldset>
      {removed.length > 0 && (
        <p className="warning">
          Saving takes {removed.join(', ')} from every key that holds {removed.length === 1 ? 'it' : 'them'}, at once.
        </p>
      )}
      <FormError message={errors.formError} />
      <FormActions submitLabel="Save scopes" disabled={fetching} />
      <p role="status">{saved ? 'Scopes saved.' : ''}</p>
      {confirming && (
        <Dialog title={`Remove ${plural(confirming.length, 'scope')}?`} onClose={() => setConfirming(null)}>
          <p>
            <span className="mono">{confirming.join(', ')}</span> will be taken from every key that holds {confirming.length === 1 ? 'it' : 'them'}, at once. Declaring{' '}
            {confirming.length === 1 ? 'it' : 'them'} again grants {confirming.length === 1 ? 'it' : 'them'} to no key.
          </p>
          <ConfirmActions confirmLabel="Remove scopes" disabled={fetching} onConfirm={() => void save()} onCancel={() => setConfirming(null)} />
        </Dialog>
      )}
    </form>
  );
}
