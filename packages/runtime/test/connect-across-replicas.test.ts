import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGoogle, startFakeGoogle } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgresServer } from "../src/testing/postgres-server.ts";
import { PUBLIC_URL, type Replica, startReplica, via } from "./connect-replicas.ts";

// Several runtime replicas behind one Ingress (deploy/kubernetes): a user's browser may reach a
// different replica at each step of a connect link. Two runtimes share a Postgres database and
// the vault key, as the Kubernetes base runs them, and every step goes to the other one.

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
    a = await startReplica(databaseUrl, path.join(root, "a"), googleEnv(google));
    b = await startReplica(databaseUrl, path.join(root, "b"), googleEnv(google));
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

function googleEnv(google: FakeGoogle): Record<string, string> {
  return {
    GDRIVE_CLIENT_ID: "fake-google-client-id",
    GDRIVE_CLIENT_SECRET: "fake-google-client-secret",
    GOOGLE_OAUTH_BASE_URL: google.url,
  };
}
