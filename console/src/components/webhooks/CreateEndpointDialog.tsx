import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { WEBHOOK_EVENT_TYPES } from '../../../../src/modules/webhooks/webhook-event-types';
import { CreateWebhookEndpointDocument } from '../../gql/graphql';
import { useSession } from '../../lib/session';
import { useApiErrors } from '../../lib/useForm';
import { Dialog } from '../Dialog';
import { Field, FormError } from '../Field';
import { SecretReveal } from '../SecretReveal';
import { FormActions } from '../FormActions';

/**
 * URL and event types (the server's own list, so the console never offers a type the API
 * refuses), then the `whsec_` signing secret revealed once, like a key's secret.
 */
export function CreateEndpointDialog({ appId, onClose, onCreated }: { appId: string; onClose(): void; onCreated(): void }) {
  const { mode } = useSession();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [{ fetching }, create] = useMutation(CreateWebhookEndpointDocument);
  const errors = useApiErrors();
  const eventsId = useId();
  const toggle = (type: string, on: boolean) => setEvents((all) => (on ? [...all, type] : all.filter((t) => t !== type)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    const result = await create({ input: { appId, mode, url: url.trim(), events } });
    if (result.error) return errors.show(result.error);
    if (result.data) {
      setSecret(result.data.createWebhookEndpoint.secret);
      onCreated();
    }
  };

  if (secret) return <SecretReveal title="The endpoint's signing secret" secret={secret} publishable={false} label="Signing secret" noun="signing secret" onDone={onClose} />;
  const eventsError = errors.fieldError('events');
  return (
    <Dialog title={`Create endpoint (${mode === 'TEST' ? 'test' : 'live'} mode)`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <FormError message={errors.formError} />
        <Field label="URL" hint="http(s) address that receives the signed events" error={errors.fieldError('url')}>
          {(props) => <input {...props} type="url" value={url} onChange={(e) => setUrl(e.target.value)} required />}
        </Field>
        <fieldset className="events" aria-describedby={`${eventsId}-hint${eventsError ? ` ${eventsId}-error` : ''}`}>
          <legend>Events</legend>
          <small id={`${eventsId}-hint`} className="hint">
            None checked: every event type, including ones added later.
          </small>
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type}>
              <input type="checkbox" checked={events.includes(type)} onChange={(e) => toggle(type, e.target.checked)} /> <span className="mono">{type}</span>
            </label>
          ))}
          {eventsError && (
            <small id={`${eventsId}-error`} className="field-error" role="alert">
              {eventsError}
            </small>
          )}
        </fieldset>
        <FormActions submitLabel="Create endpoint" disabled={fetching} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
