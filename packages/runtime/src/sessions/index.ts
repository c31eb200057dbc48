export { KyselySessionStore } from "./kysely-session-store.ts";
export { branchOf, readSession, type SessionContents } from "./read-session.ts";
export type {
  NewTurn,
  SessionKey,
  SessionStore,
  StoredTurn,
  TurnStatus,
  TurnSummary,
  TurnUsage,
} from "./session-store.ts";
export { TurnNotFoundError } from "./turn-not-found-error.ts";
