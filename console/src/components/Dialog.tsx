import * as RadixDialog from '@radix-ui/react-dialog';
import { type ReactNode, useState } from 'react';
import { captureFocusOrigin, restoreFocus } from '../lib/focus-origin';

interface DialogProps {
  title: string;
  /** Escape and clicks outside ask this; the owner decides (a reveal may want a confirmation first). */
  onClose(): void;
  children: ReactNode;
}

/**
 * A modal dialog (Radix): focus trapped inside, the page behind hidden from screen
 * readers, Escape to close, and on close focus back on the control that opened it.
 * A dialog is rendered only while open, so it is always open here. No Radix Overlay: its
 * scroll lock injects a <style> element, which the console's CSP (style-src 'self') refuses;
 * the dimmed backdrop is the content's own shadow instead (styles.css).
 */
export function Dialog({ title, onClose, children }: DialogProps) {
  // Read during the first render, while the opening control still has the focus.
  const [origin] = useState(captureFocusOrigin);
  return (
    <RadixDialog.Root open onOpenChange={(open) => !open && onClose()}>
      <RadixDialog.Portal>
        <RadixDialog.Content
          className="dialog"
          aria-describedby={undefined}
          onOpenAutoFocus={(event) => {
            // A confirmation marks its safe choice, so an Enter pressed twice does not disable or delete anything.
            const safe = (event.currentTarget as HTMLElement | null)?.querySelector<HTMLElement>('[data-autofocus]');
            if (safe) {
              event.preventDefault();
              safe.focus();
            }
          }}
          onCloseAutoFocus={(event) => {
            if (restoreFocus(origin)) event.preventDefault();
          }}
        >
          <RadixDialog.Title>{title}</RadixDialog.Title>
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
