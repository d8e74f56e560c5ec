/**
 * The control a dialog returns focus to when it closes. Radix restores focus to whatever
 * was focused when the dialog opened, which fails when a dialog replaces another (the
 * reveal after "Create key": the first dialog's submit button is gone): the new dialog
 * inherits the replaced dialog's origin. (A row menu's actions run once the menu has given
 * focus back to its button, see ActionsMenu, so that button is the origin.) Only one dialog
 * is open at a time.
 */
let current: HTMLElement | null = null;

export function captureFocusOrigin(): HTMLElement | null {
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  if (!active || active === document.body) return current;
  if (active.closest('[role="dialog"]')) return current;
  current = active;
  return current;
}

/**
 * Focuses the origin, or when it is gone (the action removed it: "Revoke" on a key that is
 * now revoked) the page's heading, so focus never falls to <body>. Radix calls this a task
 * after the dialog has gone; when the focus is no longer on <body> by then, someone put it
 * somewhere on purpose (a click on another control, the dialog that replaced this one) and
 * it stays there: taking it back closed the row menu a user had opened in that moment.
 * True when the focus is settled (Radix must not move it either); false only without a target.
 */
export function restoreFocus(origin: HTMLElement | null): boolean {
  if (document.activeElement && document.activeElement !== document.body) return true;
  const target = origin?.isConnected ? origin : document.querySelector<HTMLElement>('main h1');
  if (!target) return false;
  if (target !== origin) target.tabIndex = -1;
  target.focus();
  return true;
}
