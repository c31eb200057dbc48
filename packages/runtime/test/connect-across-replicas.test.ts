import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGoogle, startFakeGoogle } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";
import { type PostgresServer, startPostgresServer } from "../src/testing/postgres-server.ts";
import { REPO_ROOT, RUNTIME_TOKEN, TOKEN_ENCRYPTION_KEY } from "./runtime-harness.ts";

// Several runtime replicas behind one Ingress (deploy/kubernetes): a user's browser may reach a
// different replica at each step of a connect link. Two runtimes share a Postgres database and
// the vault key, as the Kubernetes base runs them, and every step goes to the other one.

/** The one address the Ingress serves for all replicas (AGENTLLM_PUBLIC_URL). */
const PUBLIC_URL = "http://connect.agentllm.test";

interface Replica {
  readonly runtime: RunningRuntime;
  /** Where this replica's connect pages listen: what the Ingress forwards to. */
  readonly address: string;
}

async function startReplica(
  databaseUrl: string,
  dataDir: string,
  google: FakeGoogle,
): Promise<Replica> {
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
    GDRIVE_CLIENT_ID: "fake-google-client-id",
    GDRIVE_CLIENT_SECRET: "fake-google-client-secret",
    GOOGLE_OAUTH_BASE_URL: google.url,
  });
  const runtime = await startRuntime(config, { logger, cwd: REPO_ROOT });
  const listening = lines
    .map((line) => JSON.parse(line) as { msg?: string; address?: string })
    .find((line) => line.msg === "connect pages listening");
  return { runtime, address: listening?.address as string };
}

/** The link's path and query, sent to one replica, as the Ingress would. */
function via(replica: Replica, link: string): string {
  const url = new URL(link);
  expect(url.origin).toBe(PUBLIC_URL);
  return `${replica.address}${url.pathname}${url.search}`;
}

describe("a connect link served by whichever replica the Ingress picks", () => {
  let postgres: PostgresServer;
  let google: FakeGoogle;
  let root: string;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    postgres = await startPostgresServer();
    // Registered as in Google's console: the one public URL, whichever replica answers it.
    google = await startFakeGoogle({
      clients: [
        {
          clientId: "fake-google-client-id",
          clientSecret: "fake-google-client-secret",
          redirectUris: [`${PUBLIC_URL}/oauth/callback/google`],
        },
      ],
    });
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-replicas-"));
    const databaseUrl = await postgres.createDatabase();
    a = await startReplica(databaseUrl, path.join(root, "a"), google);
    b = await startReplica(databaseUrl, path.join(root, "b"), google);
  });

  afterAll(async () => {
    await a?.runtime.close();
    await b?.runtime.close();
    await google?.close();
    await postgres?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("Google sign-in: A issues the link, B shows the page, A starts the sign-in, B takes the callback", async () => {
    const link = await a.runtime.connectLinks.linkFor("alice", "google_drive");
    const page = await fetch(via(b, link));
    expect(page.status).toBe(200);
    const cookie = page.headers
      .getSetCookie()
      .find((c) => c.startsWith("agentllm_connect_csrf="))
      ?.split(";")[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    const start = await fetch(via(a, link), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie ?? "" },
      body: new URLSearchParams({
        ticket: new URL(link).searchParams.get("ticket") ?? "",
        csrf: csrf ?? "",
      }),
    });
    expect(start.status).toBe(303);
    const consent = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
    const callback = consent.headers.get("location") ?? "";
    expect(callback.startsWith(`${PUBLIC_URL}/oauth/callback/google?`)).toBe(true);

    const done = await fetch(via(b, callback));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Connected: go back to the chat");
    // Stored once, in the shared database: the replica that issued the link reads it.
    expect((await a.runtime.vault.get("alice", "google_drive"))?.metadata.email).toBe(
      "ada@example.test",
    );
    // The link was spent on A; B knows it from the database.
    expect((await fetch(via(b, link))).status).toBe(410);
    // The callback answers once, whichever replica it is replayed to.
    expect((await fetch(via(a, callback))).status).toBe(400);
  });
});
