import { useMutation } from 'urql';
import { DeleteWebhookEndpointDocument } from '../../gql/graphql';
import { useApiErrors } from '../../lib/useForm';
import { Dialog } from '../Dialog';
import { FormError } from '../Field';
import { ConfirmActions } from '../FormActions';

export function DeleteEndpointDialog({ endpoint, onClose, onDone }: { endpoint: { id: string; url: string }; onClose(): void; onDone(): void }) {
  const [{ fetching }, remove] = useMutation(DeleteWebhookEndpointDocument);
  const errors = useApiErrors();
  const submit = async () => {
    errors.clear();
    const result = await remove({ id: endpoint.id });
    if (result.error) return errors.show(result.error);
    onDone();
    onClose();
  };
  return (
    <Dialog title="Delete endpoint?" onClose={onClose}>
      <p>
        <span className="mono">{endpoint.url}</span> stops receiving events, and its delivery history is deleted with it. This cannot be undone.
      </p>
      <FormError message={errors.formError} />
      <ConfirmActions confirmLabel="Delete endpoint" disabled={fetching} onConfirm={() => void submit()} onCancel={onClose} />
    </Dialog>
  );
}
