import { useId, useState } from 'react';
import { Dialog } from './Dialog';

interface SecretRevealProps {
  title: string;
  secret: string;
  publishable: boolean;
  /** The read-only field's accessible name: "Secret key", or "Signing secret" for a webhook endpoint. */
  label?: string;
  /** What the warnings call it: "key" or "signing secret". */
  noun?: string;
  onDone(): void;
}

/**
 * The shown-once reveal: masked until asked, copied with one button, and a second
 * chance before closing without having copied it.
 */
export function SecretReveal({ title, secret, publishable, label = 'Secret key', noun = 'key', onDone }: SecretRevealProps) {
  const id = useId();
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState(false);
  const [copyFailed, setCopyFailed] = useState(false);
  const [confirming, setConfirming] = useState(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
      setCopyFailed(false);
    } catch {
      setCopyFailed(true);
    }
  };
  const done = () => (copied || publishable ? onDone() : setConfirming(true));

  return (
    <Dialog title={title} onClose={done}>
    <div className="reveal">
      <p className="warning">
        {publishable
          ? 'This publishable key is public by design; it stays readable in the keys list.'
          : `Copy this ${noun} now and store it safely. You will not see it again.`}
      </p>
      <label htmlFor={id}>{label}</label>
      <div className="reveal-row">
        <input id={id} readOnly type={shown ? 'text' : 'password'} value={secret} autoComplete="off" spellCheck={false} className="mono" />
        <button type="button" aria-pressed={shown} onClick={() => setShown(!shown)}>
          {shown ? 'Hide' : 'Show'}
        </button>
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p aria-live="polite" className="hint">
        {copied ? 'Copied to the clipboard.' : copyFailed ? `The clipboard is not available: show the ${noun} and copy it by hand.` : ''}
      </p>
      {confirming ? (
        <div role="alert" className="confirm">
          <p>You have not copied the {noun}. Once closed it cannot be shown again.</p>
          <button type="button" className="danger" onClick={onDone}>
            Close without copying
          </button>
          {/* Focus lands on the safe choice: Enter right after Escape does not lose the key. */}
          <button type="button" autoFocus onClick={() => setConfirming(false)}>
            Back
          </button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="primary" onClick={done}>
            Done
          </button>
        </div>
      )}
    </div>
    </Dialog>
  );
}
