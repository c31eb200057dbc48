import { describe, expect, it } from "vitest";
import {
  Fernet,
  generateFernetKey,
  InvalidFernetKeyError,
  InvalidFernetTokenError,
} from "./fernet.ts";
import generateVectors from "./fernet-spec/generate.json" with { type: "json" };
import invalidVectors from "./fernet-spec/invalid.json" with { type: "json" };
import verifyVectors from "./fernet-spec/verify.json" with { type: "json" };

describe("Fernet: the spec's test vectors", () => {
  it.each(generateVectors)("generate: makes the spec's token for '$src'", (vector) => {
    const token = new Fernet(vector.secret).encrypt(vector.src, {
      now: new Date(vector.now),
      iv: Uint8Array.from(vector.iv),
    });
    expect(token).toBe(vector.token);
  });

  it.each(verifyVectors)("verify: decrypts the spec's token to '$src'", (vector) => {
    const plaintext = new Fernet(vector.secret).decrypt(vector.token, {
      ttlSeconds: vector.ttl_sec,
      now: new Date(vector.now),
    });
    expect(plaintext.toString("utf8")).toBe(vector.src);
  });

  it.each(invalidVectors)("invalid: refuses a token with $desc", (vector) => {
    const fernet = new Fernet(vector.secret);
    expect(() =>
      fernet.decrypt(vector.token, { ttlSeconds: vector.ttl_sec, now: new Date(vector.now) }),
    ).toThrow(InvalidFernetTokenError);
  });
});

describe("Fernet", () => {
  it("round-trips text and bytes, empty included, with a fresh IV each time", () => {
    const fernet = new Fernet(generateFernetKey());
    const text = "Grüße ✨ token=abc\n";
    const a = fernet.encrypt(text);
    const b = fernet.encrypt(text);
    expect(a).not.toBe(b);
    expect(fernet.decrypt(a).toString("utf8")).toBe(text);
    expect(fernet.decrypt(fernet.encrypt("")).toString("utf8")).toBe("");
    const bytes = Uint8Array.from([0, 255, 16, 32]);
    expect([...fernet.decrypt(fernet.encrypt(bytes))]).toEqual([...bytes]);
  });

  it("accepts a key with or without its = padding, and as 32 raw bytes", () => {
    const padded = generateFernetKey();
    expect(padded).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    const raw = Buffer.from(padded, "base64url");
    const token = new Fernet(padded).encrypt("x");
    expect(new Fernet(padded.slice(0, -1)).decrypt(token).toString()).toBe("x");
    expect(new Fernet(raw).decrypt(token).toString()).toBe("x");
  });

  it("refuses keys that are not 32 bytes of url-safe base64, without echoing them", () => {
    const tooShort = Buffer.alloc(31, 7).toString("base64url");
    expect(() => new Fernet(tooShort)).toThrow(InvalidFernetKeyError);
    expect(() => new Fernet(tooShort)).toThrow("32 bytes, not 31");
    const standardAlphabet = "+/".repeat(22);
    expect(() => new Fernet(standardAlphabet)).toThrow(/url-safe base64/);
    try {
      new Fernet(standardAlphabet);
    } catch (error) {
      expect((error as Error).message).not.toContain(standardAlphabet);
    }
    expect(() => new Fernet("")).toThrow(InvalidFernetKeyError);
  });

  it("refuses a token made with another key, saying so", () => {
    const token = new Fernet(generateFernetKey()).encrypt("secret");
    expect(() => new Fernet(generateFernetKey()).decrypt(token)).toThrow(
      /signature does not match/,
    );
  });

  it("refuses a token with any one byte changed", () => {
    const fernet = new Fernet(generateFernetKey());
    const bytes = Buffer.from(fernet.encrypt("secret"), "base64url");
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] = (altered[i] as number) ^ 1;
      expect(() => fernet.decrypt(altered.toString("base64url"))).toThrow(InvalidFernetTokenError);
    }
  });

  it("checks the TTL only when asked, at its limit and one second past it", () => {
    const fernet = new Fernet(generateFernetKey());
    const made = new Date("2026-01-01T00:00:00Z");
    const token = fernet.encrypt("x", { now: made });
    const at = (seconds: number) => new Date(made.getTime() + seconds * 1000);
    expect(fernet.decrypt(token, { now: at(10_000) }).toString()).toBe("x");
    expect(fernet.decrypt(token, { ttlSeconds: 60, now: at(60) }).toString()).toBe("x");
    expect(() => fernet.decrypt(token, { ttlSeconds: 60, now: at(61) })).toThrow(/expired/);
    // Made by a clock up to a minute ahead is fine; further ahead is not.
    expect(fernet.decrypt(token, { ttlSeconds: 60, now: at(-60) }).toString()).toBe("x");
    expect(() => fernet.decrypt(token, { ttlSeconds: 60, now: at(-61) })).toThrow(/future/);
  });

  it("names what is wrong with a malformed token", () => {
    const fernet = new Fernet(generateFernetKey());
    expect(() => fernet.decrypt("")).toThrow(/too short/);
    expect(() => fernet.decrypt("not base64!")).toThrow(/not url-safe base64/);
    const token = Buffer.from(fernet.encrypt("x"), "base64url");
    token[0] = 0x81;
    expect(() => fernet.decrypt(token.toString("base64url"))).toThrow(/unknown version/);
  });
});
