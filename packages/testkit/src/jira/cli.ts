#!/usr/bin/env tsx
import { parseArgs } from "node:util";
import { seedUsers } from "./seed.ts";
import { startFakeJira } from "./server.ts";

const usage = `usage: tsx packages/testkit/src/jira/cli.ts [options]
  --flavour <f>   cloud (REST v2+v3, Basic email:token) or server (v2, Bearer PAT); default server
  --port <n>      port to listen on (default 9521; 0 picks a free one)
  --host <addr>   address to bind (default 127.0.0.1)
  --quiet         no per-request lines on stderr
Prints "fake jira listening on <url>" and the seeded users' tokens on stdout when ready.`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      flavour: { type: "string", default: "server" },
      port: { type: "string", default: "9521" },
      host: { type: "string", default: "127.0.0.1" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const flavour = values.flavour;
  if (flavour !== "cloud" && flavour !== "server") {
    throw new Error(`--flavour must be cloud or server, got "${flavour}"`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  const jira = await startFakeJira({
    flavour,
    port,
    host: values.host,
    log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  const stop = () => {
    jira.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.write(`fake jira listening on ${jira.url}\n`);
  // Test data of a fake server, printed so a demo user can connect with it.
  for (const user of seedUsers) {
    process.stdout.write(`  ${user.displayName} <${user.emailAddress}>: token ${user.token}\n`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`fake jira: ${(error as Error).message}\n${usage}\n`);
  process.exit(1);
});
