import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { seedUsers } from "./seed.ts";

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
const children: ChildProcess[] = [];

function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

it("prints its url when ready, serves the seeded Jira, stops on SIGTERM", async () => {
  const child = start(["--flavour", "cloud", "--port", "0", "--quiet"]);
  if (!child.stdout) throw new Error("no stdout");
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  const url = /^fake jira listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
  expect(url).toBeDefined();
  const dana = seedUsers[0] as (typeof seedUsers)[number];
  const auth = Buffer.from(`${dana.emailAddress}:${dana.token}`).toString("base64");
  const response = await fetch(`${url}/rest/api/3/myself`, {
    headers: { authorization: `Basic ${auth}` },
  });
  expect(await response.json()).toMatchObject({ displayName: "Dana Reyes" });
  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  expect(code).toBe(0);
});

it("refuses an unknown flavour with a message and the usage", async () => {
  const child = start(["--flavour", "onprem"]);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = await once(child, "exit");
  expect(code).toBe(1);
  expect(stderr).toContain('--flavour must be cloud or server, got "onprem"');
});
