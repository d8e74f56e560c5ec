interface FormActionsProps {
  /** The submit button's text, which is also its accessible name. */
  submitLabel: string;
  /** danger for what cannot be undone (revoking, deleting). */
  tone?: 'primary' | 'danger';
  disabled: boolean;
  /** Without it there is no Cancel (a form on a page rather than in a dialog). */
  onCancel?(): void;
}

/** A form's submit button and its Cancel, in the order and look every form of the console shares. */
export function FormActions({ submitLabel, tone = 'primary', disabled, onCancel }: FormActionsProps) {
  return (
    <div className="actions">
      <button type="submit" className={tone} disabled={disabled}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}

interface ConfirmActionsProps {
  /** The destructive button's text, which is also its accessible name. */
  confirmLabel: string;
  disabled: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * A confirmation's destructive button and its Cancel. Cancel takes the focus when the
 * dialog opens (Dialog honours data-autofocus), so an Enter pressed twice changes nothing.
 */
export function ConfirmActions({ confirmLabel, disabled, onConfirm, onCancel }: ConfirmActionsProps) {
  return (
    <div className="actions">
      <button type="button" className="danger" disabled={disabled} onClick={onConfirm}>
        {confirmLabel}
      </button>
      <button type="button" data-autofocus onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
