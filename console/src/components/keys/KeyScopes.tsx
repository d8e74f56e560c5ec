import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { AppDocument } from '../../gql/graphql';
import { useSession } from '../../lib/session';

/**
 * The custom scopes a key dialog grants, chosen among the app's declared ones. On create
 * (initial null) nothing chosen is left out; on edit the list is sent only when it changed,
 * so saving a new name never touches the grants.
 */
export function useKeyScopes(appId: string, initial: readonly string[] | null) {
  const [{ data }] = useQuery({ query: AppDocument, variables: { id: appId } });
  const [chosen, setChosen] = useState<string[]>(() => [...(initial ?? [])]);
  const toggle = (name: string, on: boolean) => setChosen((all) => (on ? [...all, name] : all.filter((n) => n !== name)));
  const changed = initial === null ? chosen.length > 0 : [...chosen].sort().join(' ') !== [...initial].sort().join(' ');
  return {
    state: { declared: data?.app?.scopes ?? null, chosen, toggle, initial: initial ?? [] },
    input: (): { scopes?: string[] } => (changed ? { scopes: chosen } : {}),
  };
}

type ScopeState = ReturnType<typeof useKeyScopes>['state'];

/** A checkbox per declared scope in a group named "Scopes", with the API's error beside it (extensions.field "scopes"). */
export function KeyScopeFields({ scopes: s, appId, error }: { scopes: ScopeState; appId: string; error: string | null }) {
  const { viewer, can, link } = useSession();
  const id = useId();
  if (s.declared === null) return null;
  if (s.declared.length === 0) {
    return (
      <p className="hint">
        Scopes: this app declares none yet.{' '}
        {can('apps:update') ? <Link to={link(`/apps/${appId}/settings`)}>Declare them in the app's settings</Link> : 'Its settings declare them'}, then grant them here.
      </p>
    );
  }
  // A key grants only scopes it holds itself (root: any); keeping one the key already has is not granting.
  const grantable = (name: string) => viewer.type === 'ROOT' || viewer.scopes.includes(name) || s.initial.includes(name);
  const someLocked = s.declared.some((scope) => !grantable(scope.name));
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset className="events key-scopes" aria-describedby={describedBy}>
      <legend>Scopes</legend>
      <small id={`${id}-hint`} className="hint">
        Optional: the app's own permissions this key carries, besides the built-in ones of its kind and role.
        {someLocked && ' Scopes your key does not hold cannot be granted.'}
      </small>
      {s.declared.map((scope) => (
        <label key={scope.name} title={scope.description ?? undefined}>
          <input
            type="checkbox"
            checked={s.chosen.includes(scope.name)}
            disabled={!grantable(scope.name)}
            onChange={(e) => s.toggle(scope.name, e.target.checked)}
            aria-describedby={scope.description ? `${id}-${scope.name}` : undefined}
          />
          <span>
            <span className="mono">{scope.name}</span>
            {scope.description && (
              <small id={`${id}-${scope.name}`} className="sub">
                {scope.description}
              </small>
            )}
          </span>
        </label>
      ))}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </fieldset>
  );
}
