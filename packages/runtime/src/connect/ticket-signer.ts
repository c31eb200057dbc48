import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/** What a ticket says: who may connect which toolkit, until when. */
export interface TicketClaims {
  readonly userId: string;
  readonly toolkit: string;
  /** Unix seconds. */
  readonly expiresAt: number;
  /** Random, 128 bits, base64url: what "used" is remembered by. */
  readonly id: string;
}

export type TicketCheck =
  | { readonly ok: true; readonly claims: TicketClaims }
  | { readonly ok: false; readonly reason: TicketRefusal };

/** Why a ticket was refused; each has its own page. */
export type TicketRefusal = "missing" | "malformed" | "wrong-toolkit" | "expired" | "used";

/**
 * A ticket longer than this is refused before any decoding. Real ones are about 150 characters
 * plus the user id and toolkit name (bounded below).
 */
export const MAX_TICKET_CHARS = 2048;
/** Longest user id or toolkit name a ticket carries (user ids are emails or uuids). */
export const MAX_CLAIM_CHARS = 512;

/** HKDF `info` of the ticket key, derived from the vault's first key (`KeyRing.deriveKey`). */
export const TICKET_KEY_INFO = "agentllm connect tickets";

/** The ticket-signing key, derived so no other use of the encryption key shares its bytes. */
export function deriveTicketKey(encryptionKey: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", encryptionKey, new Uint8Array(0), TICKET_KEY_INFO, 32));
}

/**
 * Signs and checks connect tickets: `base64url(JSON claims) "." base64url(HMAC-SHA256)`. Stateless;
 * single use is the caller's (a ticket's id is remembered as used in the database until it
 * expires). Also makes the per-page CSRF token, an HMAC bound to the ticket and a browser cookie.
 */
export class TicketSigner {
  readonly #key: Uint8Array;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(options: { key: Uint8Array; ttlSeconds: number; now?: () => number }) {
    if (options.key.length < 32) throw new Error("a ticket key must be at least 32 bytes");
    this.#key = Uint8Array.from(options.key);
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  issue(userId: string, toolkit: string): string {
    if (userId.length === 0 || userId.length > MAX_CLAIM_CHARS) {
      throw new RangeError(`a user id for a ticket must be 1 to ${MAX_CLAIM_CHARS} characters`);
    }
    if (toolkit.length === 0 || toolkit.length > MAX_CLAIM_CHARS) {
      throw new RangeError(`a toolkit name must be 1 to ${MAX_CLAIM_CHARS} characters`);
    }
    const claims = {
      u: userId,
      t: toolkit,
      e: Math.floor(this.#now() / 1000) + this.#ttlSeconds,
      n: randomBytes(16).toString("base64url"),
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${payload}.${this.#mac(`ticket:${payload}`)}`;
  }

  /** Checks signature, shape, toolkit and expiry (not whether it was used). */
  verify(ticket: unknown, toolkit: string): TicketCheck {
    if (ticket === undefined || ticket === "") return refuse("missing");
    // Sent twice (`?ticket=a&ticket=b`) or as something else: not one ticket.
    if (typeof ticket !== "string") return refuse("malformed");
    if (ticket.length > MAX_TICKET_CHARS) return refuse("malformed");
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(ticket);
    if (!match) return refuse("malformed");
    const [, payload = "", mac = ""] = match;
    if (!this.#equal(mac, this.#mac(`ticket:${payload}`))) return refuse("malformed");
    const claims = parseClaims(payload);
    if (!claims) return refuse("malformed");
    if (claims.toolkit !== toolkit) return refuse("wrong-toolkit");
    if (claims.expiresAt * 1000 <= this.#now()) return refuse("expired");
    return { ok: true, claims };
  }

  /** The hidden form field for a page: bound to the ticket and to the browser's cookie. */
  csrfToken(ticketId: string, cookie: string): string {
    return this.#mac(`csrf:${ticketId}:${cookie}`);
  }

  checkCsrf(ticketId: string, cookie: unknown, token: unknown): boolean {
    if (typeof cookie !== "string" || typeof token !== "string") return false;
    if (cookie.length === 0 || cookie.length > 64 || token.length > 64) return false;
    return this.#equal(token, this.csrfToken(ticketId, cookie));
  }

  #mac(data: string): string {
    return createHmac("sha256", this.#key).update(data).digest("base64url");
  }

  #equal(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  }
}

function refuse(reason: TicketRefusal): TicketCheck {
  return { ok: false, reason };
}

function parseClaims(payload: string): TicketClaims | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const { u, t, e, n } = (raw ?? {}) as Record<string, unknown>;
  if (typeof u !== "string" || typeof t !== "string" || typeof n !== "string") return undefined;
  if (typeof e !== "number" || !Number.isSafeInteger(e)) return undefined;
  return { userId: u, toolkit: t, expiresAt: e, id: n };
}
