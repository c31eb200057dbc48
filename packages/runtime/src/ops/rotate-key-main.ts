#!/usr/bin/env -S node --import tsx
import { HOW_TO_MAKE_A_KEY, KEY_VARIABLE, KeyRing, KeyRingError } from "../vault/key-ring.ts";
import { rotateCredentials } from "../vault/rotate-credentials.ts";
import { openExistingDatabase } from "./existing-database.ts";

/**
 * `agentllm-rotate-key` (`just rotate-key`): re-encrypts every stored credential with the first
 * key of `AGENTLLM_TOKEN_ENCRYPTION_KEY`, in one transaction, and says how many rows it
 * re-encrypted and which toolkits had rows no key decrypts (left as they are). Running it again
 * changes nothing. docs/deployment-encryption.md has the whole rotation.
 */
async function main(): Promise<number> {
  const value = process.env[KEY_VARIABLE]?.trim();
  if (!value) {
    process.stderr.write(`rotate-key: ${KEY_VARIABLE} is not set (${HOW_TO_MAKE_A_KEY})\n`);
    return 2;
  }
  let keys: KeyRing;
  try {
    keys = KeyRing.parse(value);
  } catch (error) {
    if (!(error instanceof KeyRingError)) throw error;
    process.stderr.write(`rotate-key: ${KEY_VARIABLE} ${error.message}\n`);
    return 2;
  }
  const { file, database } = await openExistingDatabase(process.env);
  if (!database) {
    process.stdout.write(`rotate-key: no database at ${file} yet: nothing to re-encrypt\n`);
    return 0;
  }
  try {
    const result = await rotateCredentials(database.db, keys);
    const lines = [
      `rotate-key: ${result.rows} credential(s) in ${file}: ${result.reencrypted} re-encrypted with the first key, ${result.current} already were`,
    ];
    const lost = Object.entries(result.undecryptable);
    if (lost.length > 0) {
      const total = lost.reduce((sum, [, n]) => sum + n, 0);
      lines.push(
        `  ${total} no configured key decrypts (${lost.map(([toolkit, n]) => `${toolkit}: ${n}`).join(", ")}); left as they are.`,
        "  Add the key they were made with (anywhere after the first) and run this again, or let those users connect again.",
      );
    } else if (keys.size > 1) {
      lines.push(
        `  Every credential is under the first key now: the other ${keys.size - 1} key(s) can be removed from ${KEY_VARIABLE} (restart the runtime after).`,
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rotate-key: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
