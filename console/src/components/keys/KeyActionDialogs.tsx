import { useState } from 'react';
import { useMutation } from 'urql';
import { type KeyRowFragment, UpdateApiKeyDocument } from '../../gql/graphql';
import { describeError } from '../../lib/errors';
import { useNotify } from '../Toasts';
import { CompleteRotationDialog, RevokeDialog, RotateDialog } from './KeyActions';
import { DisableKeyDialog, EditKeyDialog } from './KeyEdit';

export type KeyActionKind = 'edit' | 'rotate' | 'complete' | 'disable' | 'enable' | 'revoke';

const LABEL: Record<KeyActionKind, string> = {
  edit: 'Edit',
  rotate: 'Rotate',
  complete: 'Complete rotation',
  disable: 'Disable key',
  enable: 'Enable key',
  revoke: 'Revoke',
};

/** The actions the key's state and the viewer's role allow, in the order the menu and the key page show them. */
export function allowedKeyActions(key: KeyRowFragment, can: (permission: string) => boolean): { kind: KeyActionKind; label: string }[] {
  const working = key.status === 'ACTIVE' || key.status === 'ROTATING';
  const allowed: Record<KeyActionKind, boolean> = {
    edit: (working || key.status === 'DISABLED') && can('keys:update'),
    rotate: key.status === 'ACTIVE' && can('keys:rotate'),
    complete: key.status === 'ROTATING' && Boolean(key.rotatedTo) && can('rotations:complete'),
    disable: working && key.enabled && can('keys:update'),
    enable: key.status === 'DISABLED' && can('keys:update'),
    revoke: working && can('keys:revoke'),
  };
  return (Object.keys(LABEL) as KeyActionKind[]).filter((kind) => allowed[kind]).map((kind) => ({ kind, label: LABEL[kind] }));
}

/**
 * The dialog of the action chosen on a key (from the table's menu or the key page), and
 * Enable, which needs none. `changed` refetches the caller's data.
 */
export function useKeyActions(changed: () => void) {
  const [action, setAction] = useState<{ kind: Exclude<KeyActionKind, 'enable'>; key: KeyRowFragment } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, update] = useMutation(UpdateApiKeyDocument);
  const notify = useNotify();

  const start = (kind: KeyActionKind, key: KeyRowFragment) => {
    setError(null);
    if (kind !== 'enable') return setAction({ kind, key });
    // Enabling only gives a key back its use, so it needs no confirmation (disabling does).
    void update({ id: key.id, input: { enabled: true } }).then((result) => {
      if (result.error) return setError(describeError(result.error).message);
      notify(`${key.name} enabled.`);
      changed();
    });
  };
  const close = () => setAction(null);
  const done = (message: string) => () => {
    notify(message);
    changed();
  };

  const dialog = action && (
    <>
      {action.kind === 'revoke' && <RevokeDialog apiKey={action.key} onClose={close} onDone={done(`${action.key.name} revoked.`)} />}
      {action.kind === 'rotate' && <RotateDialog apiKey={action.key} onClose={close} onDone={done(`${action.key.name} rotated.`)} />}
      {action.kind === 'edit' && <EditKeyDialog apiKey={action.key} onClose={close} onDone={done(`${action.key.name} saved.`)} />}
      {action.kind === 'disable' && <DisableKeyDialog apiKey={action.key} onClose={close} onDone={done(`${action.key.name} disabled.`)} />}
      {action.kind === 'complete' && action.key.rotatedTo && (
        <CompleteRotationDialog rotation={action.key.rotatedTo} oldKeyId={action.key.id} onClose={close} onDone={done('Rotation completed.')} />
      )}
    </>
  );
  return { start, dialog, error };
}
