import { useId } from 'react';
import { useSession } from '../lib/session';

/** Root chooses the mode; an app key is bound to its own, so the switch only shows it. */
export function TestModeSwitch() {
  const { viewer, mode, setMode } = useSession();
  const id = useId();
  const fixed = viewer.type !== 'ROOT';
  return (
    <span className="switch">
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={mode === 'TEST'}
        disabled={fixed}
        aria-describedby={fixed ? `${id}-why` : undefined}
        onChange={(e) => setMode(e.target.checked ? 'TEST' : 'LIVE')}
      />
      <label htmlFor={id}>Test mode</label>
      {fixed && (
        <span id={`${id}-why`} className="visually-hidden">
          Fixed by the key you signed in with
        </span>
      )}
    </span>
  );
}
