// @keygate/client: browser- and Node-safe helpers for apps that use Keygate. Zero runtime dependencies.
export { MAX_TIMER_DELAY_MS, SessionTokenManager, SessionTokenManagerError } from './session-token-manager';
export type {
  FetchedSessionToken,
  SessionTokenErrorEvent,
  SessionTokenInfo,
  SessionTokenManagerErrorCode,
  SessionTokenManagerEventName,
  SessionTokenManagerEvents,
  SessionTokenManagerListener,
  SessionTokenManagerOptions,
} from './session-token-manager';
