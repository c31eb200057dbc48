import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgresServer } from "../src/testing/postgres-server.ts";
import { type Replica, startReplica, via } from "./connect-replicas.ts";

// The connect pages' limits with two replicas on one Postgres, as the Kubernetes base runs
// them: a client whose requests the Ingress spreads over both gets one budget, not two.

const PER_IP = 6;
const PER_TICKET = 3;
const LIMITS = {
  AGENTLLM_CONNECT_RATE_LIMIT_IP: String(PER_IP),
  AGENTLLM_CONNECT_RATE_LIMIT_TICKET: String(PER_TICKET),
};

describe("connect page rate limits across two replicas on one Postgres", () => {
  let postgres: PostgresServer;
  let root: string;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    postgres = await startPostgresServer();
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-replica-limits-"));
    const databaseUrl = await postgres.createDatabase();
    a = await startReplica(databaseUrl, path.join(root, "a"), LIMITS);
    b = await startReplica(databaseUrl, path.join(root, "b"), LIMITS);
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
