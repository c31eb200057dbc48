import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Fernet, generateFernetKey } from "./fernet.ts";
import { KeyRing } from "./key-ring.ts";

// Interop with the reference implementation, Python's `cryptography.fernet`, from the bridge's
// venv (`npx just setup` installs it): what one side encrypts the other decrypts.
const PYTHON = path.resolve(import.meta.dirname, "../../../../bridge/.venv/bin/python");

/** Runs a Python snippet with JSON on stdin; returns its stdout. */
function python(script: string, input: unknown): string {
  return execFileSync(PYTHON, ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
}

if (!existsSync(PYTHON)) throw new Error(`no ${PYTHON}: run \`npx just setup\` first`);

const MESSAGES = ["", "hello", "Grüße ✨ 'quoted'\n", "x".repeat(1000)];

describe("Fernet interop with Python's cryptography.fernet", () => {
  it("decrypts tokens Python made, with a key Python generated", () => {
    const out = python(
      `
import json, sys
from cryptography.fernet import Fernet
messages = json.load(sys.stdin)
key = Fernet.generate_key()
f = Fernet(key)
print(json.dumps({"key": key.decode(), "tokens": [f.encrypt(m.encode()).decode() for m in messages]}))
`,
      MESSAGES,
    );
    const { key, tokens } = JSON.parse(out) as { key: string; tokens: string[] };
    const fernet = new Fernet(key);
    expect(
      tokens.map((token) => fernet.decrypt(token, { ttlSeconds: 600 }).toString("utf8")),
    ).toEqual(MESSAGES);
  });

  it("makes tokens Python decrypts, with a key made here", () => {
    const key = generateFernetKey();
    const fernet = new Fernet(key);
    const tokens = MESSAGES.map((message) => fernet.encrypt(message));
    const out = python(
      `
import json, sys
from cryptography.fernet import Fernet
data = json.load(sys.stdin)
f = Fernet(data["key"].encode())
print(json.dumps([f.decrypt(t.encode(), ttl=600).decode() for t in data["tokens"]]))
`,
      { key, tokens },
    );
    expect(JSON.parse(out)).toEqual(MESSAGES);
  });

  it("a key ring behaves like MultiFernet: the first key encrypts, all decrypt, rotate agrees", () => {
    const [newKey, oldKey] = [generateFernetKey(), generateFernetKey()];
    const ring = KeyRing.parse(`${newKey},${oldKey}`);
    const out = python(
      `
import json, sys
from cryptography.fernet import Fernet, MultiFernet
data = json.load(sys.stdin)
new, old = Fernet(data["new"].encode()), Fernet(data["old"].encode())
multi = MultiFernet([new, old])
old_token = old.encrypt(b"made with the old key")
print(json.dumps({
    "ours": multi.decrypt(data["token"].encode()).decode(),
    "ours_new_only": new.decrypt(data["token"].encode()).decode(),
    "old_token": old_token.decode(),
    "rotated": multi.rotate(old_token).decode(),
}))
`,
      { new: newKey, old: oldKey, token: ring.encrypt("made by the ring") },
    );
    const result = JSON.parse(out) as Record<string, string>;
    expect(result.ours).toBe("made by the ring");
    expect(result.ours_new_only).toBe("made by the ring");
    expect(ring.decrypt(result.old_token as string)).toEqual({
      plaintext: "made with the old key",
      keyIndex: 1,
    });
    expect(ring.decrypt(result.rotated as string)).toEqual({
      plaintext: "made with the old key",
      keyIndex: 0,
    });
  });
});
