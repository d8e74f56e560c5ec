import { useMutation } from 'urql';
import { RemoveDocumentDocument } from '../../gql/graphql';
import { useApiErrors } from '../../lib/useForm';
import { Dialog } from '../Dialog';
import { FormError } from '../Field';
import { ConfirmActions } from '../FormActions';

interface Props {
  appId: string;
  document: { id: string; operationName?: string | null };
  onClose(): void;
  onRemoved(): void;
}

export function RemoveDocumentDialog({ appId, document, onClose, onRemoved }: Props) {
  const [{ fetching }, remove] = useMutation(RemoveDocumentDocument);
  const errors = useApiErrors();
  const submit = async () => {
    errors.clear();
    const result = await remove({ appId, id: document.id });
    if (result.error) return errors.show(result.error);
    onRemoved();
    onClose();
  };
  return (
    <Dialog title="Remove document?" onClose={onClose}>
      <p>
        {document.operationName ?? 'This anonymous operation'} stops running where the app’s policy asks for registered documents, until it is registered again.
      </p>
      <FormError message={errors.formError} />
      <ConfirmActions confirmLabel="Remove document" disabled={fetching} onConfirm={() => void submit()} onCancel={onClose} />
    </Dialog>
  );
}
