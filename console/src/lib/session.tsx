import { createContext, useContext } from 'react';
import type { KeyMode, ViewerQuery } from '../gql/graphql';

export type Viewer = ViewerQuery['viewer'];

export interface Session {
  viewer: Viewer;
  /** The mode the console shows: the switch for root, the key's own mode for an app key. */
  mode: KeyMode;
  setMode(mode: KeyMode): void;
  /** A console path with the mode kept (?mode=test), for links and navigation. */
  link(path: string): string;
  can(permission: string): boolean;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export function describeViewer(viewer: Viewer): string {
  if (viewer.type === 'ROOT') return 'Root key · all apps';
  const role = viewer.role ? viewer.role.toLowerCase().replace('_', '-') : viewer.kind?.toLowerCase();
  return `${viewer.app?.name ?? 'App'} · ${viewer.mode === 'TEST' ? 'test' : 'live'} · ${role}`;
}
