import * as Menu from '@radix-ui/react-dropdown-menu';
import { useRef } from 'react';

export interface MenuAction {
  label: string;
  onSelect(): void;
  tone?: 'danger';
}

/**
 * A row's actions behind one button (Radix dropdown menu: arrow keys, typeahead, Escape,
 * focus back on the button). Not modal, so a dialog opened from an item owns the focus
 * trap alone.
 *
 * An item's action runs only once the menu has fully closed (Radix's close auto-focus,
 * the last step of its unmount): an action that opens a dialog from inside the item's
 * select event had the dialog mount while the menu's dismiss layer was still the top one,
 * and a first Escape in that moment went to the closing menu, not the dialog. By then the
 * focus is back on the button, so the dialog opens from it like from any other button.
 */
export function ActionsMenu({ label, actions }: { label: string; actions: readonly MenuAction[] }) {
  const trigger = useRef<HTMLButtonElement>(null);
  const chosen = useRef<MenuAction | null>(null);
  if (actions.length === 0) return null;
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger ref={trigger} className="menu-trigger" aria-label={label}>
        <span aria-hidden="true">⋯</span>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          className="menu"
          align="end"
          sideOffset={4}
          onCloseAutoFocus={(event) => {
            const action = chosen.current;
            chosen.current = null;
            if (!action) return;
            event.preventDefault();
            trigger.current?.focus();
            action.onSelect();
          }}
        >
          {actions.map((action) => (
            <Menu.Item
              key={action.label}
              className={action.tone === 'danger' ? 'menu-item danger' : 'menu-item'}
              onSelect={() => {
                chosen.current = action;
              }}
            >
              {action.label}
            </Menu.Item>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
