import * as Toast from '@radix-ui/react-toast';
import { createContext, type ReactNode, useCallback, useContext, useState } from 'react';

const NotifyContext = createContext<(message: string) => void>(() => undefined);

/** "Key revoked." and the like: announced politely, gone after a few seconds (Radix toast: hover and focus pause it). */
export function Toasts({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<{ id: number; text: string }[]>([]);
  const notify = useCallback((text: string) => setMessages((all) => [...all, { id: Date.now() + Math.random(), text }]), []);
  return (
    <Toast.Provider duration={5000} label="Notification">
      <NotifyContext.Provider value={notify}>{children}</NotifyContext.Provider>
      {messages.map((m) => (
        <Toast.Root key={m.id} className="toast" onOpenChange={(open) => !open && setMessages((all) => all.filter((x) => x.id !== m.id))}>
          <Toast.Description>{m.text}</Toast.Description>
          <Toast.Close className="toast-close" aria-label="Dismiss">
            ×
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className="toasts" />
    </Toast.Provider>
  );
}

export function useNotify(): (message: string) => void {
  return useContext(NotifyContext);
}
