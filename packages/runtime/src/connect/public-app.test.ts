import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MemoryStore, type Store } from "express-rate-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { MemoryCredentialVault } from "../testing/memory-credential-vault.ts";
import { createPublicApp, type PublicAppDeps } from "./public-app.ts";
import { RateLimitStoreError } from "./rate-limit-store-error.ts";
import { TicketSigner } from "./ticket-signer.ts";
import type { UsedTickets } from "./used-tickets.ts";

// Behind TLS (AGENTLLM_PUBLIC_URL https): what changes on the pages. The rest is tested on a
// started runtime in test/connect-pages.test.ts.
const signer = new TicketSigner({ key: new Uint8Array(32).fill(3), ttlSeconds: 900 });
const used: UsedTickets = {
  isUsed: async () => false,
  claim: async () => true,
  release: async () => {},
};

function publicApp(rateLimitStore: PublicAppDeps["rateLimitStore"], logs: string[] = []) {
  return createPublicApp({
    logger: createLogger("info", { write: (line: string) => void logs.push(line) }),
    signer,
    usedTickets: used,
    vault: new MemoryCredentialVault(),
    toolkits: new Map([
      [
        "tracker",
        {
          name: "tracker",
          credential: {
            kind: "api-token",
            title: "Tracker",
            fields: { token: { label: "Token", secret: true } },
          },
        },
      ],
    ]),
    ticketTtlSeconds: 900,
    validateTimeoutMs: 1000,
    maxBodyBytes: 1024,
    rateLimitPerIp: 100,
    rateLimitPerTicket: 100,
    rateLimitStore,
    secure: true,
  });
}

async function serve(app: ReturnType<typeof createPublicApp>): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = await serve(publicApp(() => new MemoryStore()));
  base = urlOf(server);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the public app behind https", () => {
  it("sends HSTS and a Secure CSRF cookie", async () => {
    const response = await fetch(
      `${base}/connect/tracker?ticket=${signer.issue("alice", "tracker")}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("strict-transport-security")).toBe(
      "max-age=31536000; includeSubDomains",
    );
    expect(response.headers.getSetCookie().join()).toMatch(/HttpOnly; Secure; SameSite=Strict/);
  });

  it("takes a body of exactly the limit and refuses one byte more", async () => {
    const ticket = signer.issue("alice", "tracker");
    const prefix = `ticket=${ticket}&field.token=`;
    const post = (length: number) =>
      fetch(`${base}/connect/tracker`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: prefix + "x".repeat(length - prefix.length),
      });
    // At the limit the body is read (and refused for its missing CSRF token, not its size).
    expect((await post(1024)).status).toBe(403);
    const over = await post(1025);
    expect(over.status).toBe(413);
    expect(await over.text()).toContain("at most 1024 bytes");
  });
});

describe("the public app when its rate-limit count fails", () => {
  it("refuses the page with a 503 and logs names only, not the address", async () => {
    const logs: string[] = [];
    const broken = await serve(
      publicApp(
        () =>
          ({
            localKeys: false,
            increment: async () => {
              throw new RateLimitStoreError({ cause: new Error("connection lost for 127.0.0.1") });
            },
            decrement: async () => {},
            resetKey: async () => {},
          }) satisfies Store,
        logs,
      ),
    );
    try {
      const response = await fetch(
        `${urlOf(broken)}/connect/tracker?ticket=${signer.issue("alice", "tracker")}`,
      );
      expect(response.status).toBe(503);
      expect(await response.text()).toContain("could not check how often");
      const line = logs.find((entry) => entry.includes("rate-limit count failed")) ?? "";
      expect(JSON.parse(line)).toMatchObject({ error: "RateLimitStoreError", cause: "Error" });
      expect(logs.join("\n")).not.toContain("127.0.0.1");
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});
