import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Fernet, generateFernetKey, InvalidFernetTokenError } from "./fernet.ts";
import { KeyRing, KeyRingError, MAX_KEYS } from "./key-ring.ts";

function parseError(value: string): string {
  try {
    KeyRing.parse(value);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyRingError);
    return (error as Error).message;
  }
  throw new Error("parsed");
}

describe("KeyRing", () => {
  it("encrypts with the first key and decrypts with any", () => {
    const [newKey, oldKey] = [generateFernetKey(), generateFernetKey()];
    const ring = KeyRing.parse(`${newKey}, ${oldKey}`);
    expect(ring.size).toBe(2);
    const oldToken = new Fernet(oldKey).encrypt("from before");
    expect(ring.decrypt(oldToken)).toEqual({ plaintext: "from before", keyIndex: 1 });
    const token = ring.encrypt("now");
    expect(new Fernet(newKey).decrypt(token).toString()).toBe("now");
    expect(ring.decrypt(token)).toEqual({ plaintext: "now", keyIndex: 0 });
  });

  it("refuses a token none of its keys opens", () => {
    const ring = KeyRing.parse(`${generateFernetKey()},${generateFernetKey()}`);
    const foreign = new Fernet(generateFernetKey()).encrypt("x");
    expect(() => ring.decrypt(foreign)).toThrow(InvalidFernetTokenError);
    expect(() => ring.decrypt(foreign)).toThrow(/no configured key/);
  });

  it("names a bad entry by position and never prints it", () => {
    const good = generateFernetKey();
    const bad = "this-is-no-key-at-all-SECRET";
    const message = parseError(`${good},${bad},${good}`);
    expect(message).toContain("key 2 of 3");
    expect(message).toContain("32 bytes");
    expect(message).toContain("npx just secrets");
    expect(message).not.toContain(bad);
    expect(message).not.toContain(good);
    expect(parseError(bad)).toMatch(/^the key is not a Fernet key/);
    expect(parseError(`${good},`)).toContain("key 2 of 2 is empty");
    expect(parseError("")).toContain("the key is empty");
  });

  it(`holds up to ${MAX_KEYS} keys, and refuses more`, () => {
    const keys = Array.from({ length: MAX_KEYS }, () => generateFernetKey());
    const ring = KeyRing.parse(keys.join(","));
    expect(ring.decrypt(new Fernet(keys.at(-1) as string).encrypt("last")).keyIndex).toBe(
      MAX_KEYS - 1,
    );
    expect(parseError([...keys, generateFernetKey()].join(","))).toContain(
      `holds ${MAX_KEYS + 1} keys; at most ${MAX_KEYS}`,
    );
  });

  it("shows no key material when logged, inspected or serialised", () => {
    const key = generateFernetKey();
    const ring = KeyRing.parse(key);
    const raw = Buffer.from(key, "base64url");
    for (const shown of [JSON.stringify({ ring }), inspect(ring, { depth: 5, showHidden: true })]) {
      expect(shown).not.toContain(key.slice(0, 20));
      expect(shown).not.toContain(raw.subarray(0, 16).toString("hex"));
    }
    expect(JSON.stringify({ ring })).toBe('{"ring":"[KeyRing: 1 key(s)]"}');
  });
});
