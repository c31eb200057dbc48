import type { SessionKey } from "./session-store.ts";

/** A turn id (a parent or a new head) that is not a turn of this session, maybe of another one. */
export class TurnNotFoundError extends Error {
  override readonly name = "TurnNotFoundError";
  constructor(
    readonly key: SessionKey,
    readonly turnId: string,
  ) {
    super(`turn ${turnId} is not part of this session`);
  }
}
