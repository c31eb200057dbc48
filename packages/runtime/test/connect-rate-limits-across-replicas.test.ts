import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";
import { type PostgresServer, startPostgresServer } from "../src/testing/postgres-server.ts";
import { REPO_ROOT, RUNTIME_TOKEN, TOKEN_ENCRYPTION_KEY } from "./runtime-harness.ts";

// The connect pages' limits with two replicas on one Postgres, as the Kubernetes base runs
// them: a client whose requests the Ingress spreads over both gets one budget, not two.

const PUBLIC_URL = "http://connect.agentllm.test";
const PER_IP = 6;
const PER_TICKET = 3;

interface Replica {
  readonly runtime: RunningRuntime;
  readonly address: string;
}

async function startReplica(databaseUrl: string, dataDir: string): Promise<Replica> {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  const config = loadConfig({
    AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
    GEMINI_API_KEY: "k",
    GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9",
    AGENTLLM_RUNTIME_PORT: "0",
    AGENTLLM_PUBLIC_PORT: "0",
    AGENTLLM_PUBLIC_URL: PUBLIC_URL,
    AGENTLLM_DATA_DIR: dataDir,
    AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
    DATABASE_URL: databaseUrl,
    AGENTLLM_DATABASE_POOL_SIZE: "2",
    AGENTLLM_CONNECT_RATE_LIMIT_IP: String(PER_IP),
    AGENTLLM_CONNECT_RATE_LIMIT_TICKET: String(PER_TICKET),
  });
  const runtime = await startRuntime(config, { logger, cwd: REPO_ROOT });
  const listening = lines
    .map((line) => JSON.parse(line) as { msg?: string; address?: string })
    .find((line) => line.msg === "connect pages listening");
  return { runtime, address: listening?.address as string };
}

/** The link's path and query, sent to one replica, as the Ingress would. */
function via(replica: Replica, link: string): string {
  const url = new URL(link, PUBLIC_URL);
  return `${replica.address}${url.pathname}${url.search}`;
}

describe("connect page rate limits across two replicas on one Postgres", () => {
  let postgres: PostgresServer;
  let root: string;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    postgres = await startPostgresServer();
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-replica-limits-"));
    const databaseUrl = await postgres.createDatabase();
    a = await startReplica(databaseUrl, path.join(root, "a"));
    b = await startReplica(databaseUrl, path.join(root, "b"));
  });

  afterAll(async () => {
    await a?.runtime.close();
    await b?.runtime.close();
    await postgres?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("counts a ticket and an address once over both replicas, whichever answers", async () => {
    const link = await a.runtime.connectLinks.linkFor("alice", "google_drive");
    const replicas = [a, b, a, b];
    const tries = [];
    for (const replica of replicas) tries.push(await fetch(via(replica, link)));
    // Each replica alone has seen two requests of this ticket; together they are one too many.
    expect(tries.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    const byTicket = tries[3] as Response;
    expect(await byTicket.text()).toContain("Too many tries");
    expect(Number(byTicket.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(byTicket.headers.get("ratelimit-policy")).toContain(`"ticket"; q=${PER_TICKET}; w=60`);
    expect(byTicket.headers.get("ratelimit")).toMatch(/"ticket"; r=0; t=\d+/);

    // The same address: four requests so far, two more are allowed across both replicas.
    const cancel = "/connect/google_drive/cancel";
    expect((await fetch(via(a, cancel))).status).toBe(200);
    expect((await fetch(via(b, cancel))).status).toBe(200);
    for (const replica of [a, b]) {
      const byIp = await fetch(via(replica, cancel));
      expect(byIp.status).toBe(429);
      expect(await byIp.text()).toContain("Too many requests");
      expect(byIp.headers.get("ratelimit")).toMatch(/"ip"; r=0; t=\d+/);
    }
  });
});
