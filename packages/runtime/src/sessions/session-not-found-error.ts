import type { SessionKey } from "./session-store.ts";

/** An operation needed an existing session and there is none under this key. */
export class SessionNotFoundError extends Error {
  override readonly name = "SessionNotFoundError";
  constructor(readonly key: SessionKey) {
    // The ids are the client's: quoting them could echo user data into logs, so name only the agent.
    super(`no such session for agent ${key.agent}`);
  }
}
