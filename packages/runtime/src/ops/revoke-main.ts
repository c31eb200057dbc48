#!/usr/bin/env -S node --import tsx
import { parseArgs } from "node:util";
import { InvalidCredentialError } from "../vault/credential-limits.ts";
import { listCredentials } from "../vault/kysely-credential-vault.ts";
import { openExistingDatabase } from "./existing-database.ts";
import { revokeCredentials } from "./revoke-credentials.ts";

const USAGE = "usage: revoke USER_ID [TOOLKIT]   (without TOOLKIT: every toolkit of the user)";

/**
 * `agentllm-revoke USER_ID [TOOLKIT]` (`just revoke`): removes a user's stored credentials and
 * says which. Exit 1 when there was nothing to remove (a mistyped id should not look like
 * success), 2 on bad arguments. Reads `AGENTLLM_DATA_DIR` like the runtime; needs no key.
 */
async function main(): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ allowPositionals: true, options: {} }));
  } catch (error) {
    process.stderr.write(`revoke: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [userId, toolkit, ...extra] = positionals;
  if (!userId || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { file, database } = await openExistingDatabase(process.env);
  if (!database) {
    process.stderr.write(`revoke: no database at ${file}: nothing to remove\n`);
    return 1;
  }
  try {
    const removed = await revokeCredentials(database.db, userId, toolkit);
    if (removed.length > 0) {
      process.stdout.write(
        `revoke: removed ${userId}'s credential(s) for ${removed.join(", ")}; they must connect again to use them\n`,
      );
      return 0;
    }
    const left = (await listCredentials(database.db, { userId })).map((c) => c.toolkit);
    process.stderr.write(
      toolkit === undefined || left.length === 0
        ? `revoke: ${userId} has no stored credential in ${file}; nothing removed\n`
        : `revoke: ${userId} has no credential for ${toolkit} (connected: ${left.join(", ")}); nothing removed\n`,
    );
    return 1;
  } catch (error) {
    if (!(error instanceof InvalidCredentialError)) throw error;
    process.stderr.write(`revoke: ${error.message}\n${USAGE}\n`);
    return 2;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`revoke: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
