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
