import * as Menu from '@radix-ui/react-dropdown-menu';

export interface MenuAction {
  label: string;
  onSelect(): void;
  tone?: 'danger';
}

/**
 * A row's actions behind one button (Radix dropdown menu: arrow keys, typeahead, Escape,
 * focus back on the button). Not modal, so a dialog opened from an item owns the focus
 * trap alone.
 */
export function ActionsMenu({ label, actions }: { label: string; actions: readonly MenuAction[] }) {
  if (actions.length === 0) return null;
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger className="menu-trigger" aria-label={label}>
        <span aria-hidden="true">⋯</span>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          className="menu"
          align="end"
          sideOffset={4}
          // An item that opened a dialog leaves the focus to it (the dialog gives it back to this button on close).
          onCloseAutoFocus={(event) => {
            if (document.querySelector('[role="dialog"]')) event.preventDefault();
          }}
        >
          {actions.map((action) => (
            <Menu.Item key={action.label} className={action.tone === 'danger' ? 'menu-item danger' : 'menu-item'} onSelect={action.onSelect}>
              {action.label}
            </Menu.Item>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
