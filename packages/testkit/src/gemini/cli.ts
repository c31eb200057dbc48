#!/usr/bin/env tsx
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createDefaultResponder } from "./default-responder.ts";
import { type FakeTurn, parseScript } from "./script.ts";
import { startFakeGemini } from "./server.ts";

const usage = `usage: tsx packages/testkit/src/gemini/cli.ts [options]
  --port <n>        port to listen on (default 9520; 0 picks a free one)
  --host <addr>     address to bind (default 127.0.0.1)
  --script <file>   JSON turns (an array or {"turns": [...]}) answered first, in order
  --delay-ms <n>    pause between streamed words of the default responder (default 30)
  --api-key <key>   accept only this key (default: any non-empty key)
  --quiet           no per-request lines on stderr
Prints "fake gemini listening on <url>" on stdout when ready; stops on SIGINT/SIGTERM.`;

function integer(name: string, raw: string, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`--${name} must be an integer from 0 to ${max}, got "${raw}"`);
  }
  return value;
}

async function loadScript(file: string | undefined): Promise<FakeTurn[]> {
  if (file === undefined) return [];
  const text = await readFile(file, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseScript(json);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "9520" },
      host: { type: "string", default: "127.0.0.1" },
      script: { type: "string" },
      "delay-ms": { type: "string", default: "30" },
      "api-key": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  // Everything is validated before listening, so a launcher never sees "ready" for a bad start.
  const turns = await loadScript(values.script);
  const gemini = await startFakeGemini({
    port: integer("port", values.port, 65535),
    host: values.host,
    apiKey: values["api-key"],
    responder: createDefaultResponder({ delayMs: integer("delay-ms", values["delay-ms"], 60_000) }),
    log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  gemini.enqueue(...turns);
  const stop = () => {
    gemini.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.write(`fake gemini listening on ${gemini.url}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`fake gemini: ${(error as Error).message}\n${usage}\n`);
  process.exit(1);
});
