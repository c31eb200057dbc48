import { describe, expect, it } from "vitest";
import { deriveTicketKey, MAX_TICKET_CHARS, TicketSigner } from "./ticket-signer.ts";

const KEY = deriveTicketKey(new Uint8Array(32).fill(7));
const T0 = Date.UTC(2026, 0, 1);

function signer(now = () => T0, key = KEY) {
  return new TicketSigner({ key, ttlSeconds: 900, now });
}

function decode(ticket: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(ticket.split(".")[0] ?? "", "base64url").toString("utf8"));
}

/** A ticket whose claims were edited, keeping the old signature. */
function withClaims(ticket: string, edit: (claims: Record<string, unknown>) => void): string {
  const claims = decode(ticket);
  edit(claims);
  return `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${ticket.split(".")[1]}`;
}

describe("TicketSigner", () => {
  it("accepts its own ticket for the toolkit, with the user, expiry and a random id", () => {
    const ticket = signer().issue("alice@example.com", "jira");
    const check = signer().verify(ticket, "jira");
    expect(check).toEqual({
      ok: true,
      claims: {
        userId: "alice@example.com",
        toolkit: "jira",
        expiresAt: T0 / 1000 + 900,
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      },
    });
    expect(ticket).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(signer().issue("alice@example.com", "jira")).not.toBe(ticket);
  });

  it("refuses it one second after, and accepts it one second before, it expires", () => {
    const ticket = signer().issue("alice", "jira");
    expect(signer(() => T0 + 899_000).verify(ticket, "jira").ok).toBe(true);
    expect(signer(() => T0 + 900_000).verify(ticket, "jira")).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("refuses a ticket for another toolkit", () => {
    const ticket = signer().issue("alice", "jira");
    expect(signer().verify(ticket, "google-drive")).toEqual({ ok: false, reason: "wrong-toolkit" });
  });

  it("refuses a ticket moved to another user, toolkit or expiry (the signature breaks)", () => {
    const ticket = signer().issue("alice", "jira");
    const edits = [
      (c: Record<string, unknown>) => {
        c.u = "bob";
      },
      (c: Record<string, unknown>) => {
        c.t = "confluence";
      },
      (c: Record<string, unknown>) => {
        c.e = (c.e as number) + 3600;
      },
    ];
    for (const edit of edits) {
      const forged = withClaims(ticket, edit);
      expect(signer().verify(forged, String(decode(forged).t))).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });

  it("refuses a ticket signed with another key", () => {
    const other = signer(() => T0, deriveTicketKey(new Uint8Array(32).fill(8)));
    expect(signer().verify(other.issue("bob", "jira"), "jira")).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it.each([
    ["missing", undefined],
    ["missing", ""],
    ["malformed", ["a", "b"]],
    ["malformed", "nodot"],
    ["malformed", "a.b"],
    ["malformed", `${"A".repeat(10)}.${"B".repeat(43)}`],
    ["malformed", "x".repeat(MAX_TICKET_CHARS + 1)],
  ])("says %s for %j", (reason, ticket) => {
    expect(signer().verify(ticket, "jira")).toEqual({ ok: false, reason });
  });

  it("refuses a flipped signature character", () => {
    const ticket = signer().issue("alice", "jira");
    const last = ticket.at(-2) === "A" ? "B" : "A";
    const flipped = `${ticket.slice(0, -2)}${last}${ticket.at(-1)}`;
    expect(signer().verify(flipped, "jira").ok).toBe(false);
  });

  it("refuses user ids and toolkit names past the bound when issuing", () => {
    expect(() => signer().issue("u".repeat(513), "jira")).toThrow(RangeError);
    expect(() => signer().issue("", "jira")).toThrow(RangeError);
    expect(signer().verify(signer().issue("u".repeat(512), "jira"), "jira").ok).toBe(true);
  });

  it("binds the CSRF token to ticket and cookie", () => {
    const s = signer();
    const token = s.csrfToken("ticket-1", "cookie-1");
    expect(s.checkCsrf("ticket-1", "cookie-1", token)).toBe(true);
    expect(s.checkCsrf("ticket-2", "cookie-1", token)).toBe(false);
    expect(s.checkCsrf("ticket-1", "cookie-2", token)).toBe(false);
    expect(s.checkCsrf("ticket-1", undefined, token)).toBe(false);
    expect(s.checkCsrf("ticket-1", "cookie-1", undefined)).toBe(false);
    expect(s.checkCsrf("ticket-1", "cookie-1", `${token}x`)).toBe(false);
  });
});
