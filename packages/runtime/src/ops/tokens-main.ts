#!/usr/bin/env -S node --import tsx
import { parseArgs } from "node:util";
import { openExistingDatabase } from "./existing-database.ts";
import { listUsers, type UserInventory } from "./user-inventory.ts";

/**
 * `agentllm-tokens [USER_ID] [--json]` (`just tokens`): the users the runtime's database knows,
 * with their chats per agent, the model tokens those used, the names of their settings and the
 * toolkits they connected (kind, plain metadata, dates). Never prints stored content, setting
 * values or credentials, and needs no key. Reads `AGENTLLM_DATA_DIR` like the runtime.
 */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { json: { type: "boolean" } },
  });
  const { file, database } = await openExistingDatabase(process.env);
  if (!database) {
    process.stdout.write(`tokens: no database at ${file} yet (nobody has chatted with an agent)\n`);
    return 0;
  }
  try {
    const users = await listUsers(database.db, {
      ...(positionals[0] ? { userId: positionals[0] } : {}),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
    else process.stdout.write(render(users, file));
    return 0;
  } finally {
    await database.close();
  }
}

function render(users: UserInventory[], file: string): string {
  if (users.length === 0) return `tokens: ${file} holds no users\n`;
  const lines = [`${users.length} user(s) in ${file}`, ""];
  for (const user of users) {
    lines.push(user.userId);
    for (const a of user.agents) {
      lines.push(
        `  ${a.agent}: ${a.chats} chat(s), ${a.turns} turn(s), ` +
          `${a.promptTokens} prompt + ${a.completionTokens} completion tokens, last ${a.lastActive}`,
      );
    }
    if (user.settings.length > 0) lines.push(`  settings: ${user.settings.join(", ")}`);
    for (const c of user.credentials) {
      const metadata = Object.entries(c.metadata).map(([key, value]) => `${key}=${value}`);
      lines.push(
        `  connected: ${c.toolkit} (${[c.kind, ...metadata].join(", ")}; ` +
          `secret fields ${c.secretFields.join(", ")}), since ${c.connectedAt}, updated ${c.updatedAt}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`tokens: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
