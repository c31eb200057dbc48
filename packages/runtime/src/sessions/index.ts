export { KyselySessionStore } from "./kysely-session-store.ts";
export { SessionNotFoundError } from "./session-not-found-error.ts";
export type {
  NewTurn,
  SessionKey,
  SessionStore,
  StoredTurn,
  TurnStatus,
  TurnUsage,
} from "./session-store.ts";
export { TurnNotFoundError } from "./turn-not-found-error.ts";
