import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type FakeGoogle, startFakeGoogle } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { deriveTicketKey, TicketSigner } from "../src/connect/ticket-signer.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";
import { MemoryCredentialVault } from "../src/testing/memory-credential-vault.ts";
import { REPO_ROOT, RUNTIME_TOKEN, writeAgentPackage } from "./runtime-harness.ts";

// The connect pages for real: the runtime started as in production (both listeners), a
// browser's requests over HTTP, and an agent package whose toolkits declare credentials.
const KEY = new Uint8Array(32).fill(9);
const ZOD_URL = pathToFileURL(path.join(REPO_ROOT, "node_modules", "zod", "index.js")).href;
/** What the tests type as a token; must never come back in a page or a log line. */
const SECRET = "tok-S3CRET-do-not-echo";

interface Started {
  readonly runtime: RunningRuntime;
  readonly vault: MemoryCredentialVault;
  readonly logs: string[];
}

/** An agent package with an api-token toolkit (with a scripted check), an OAuth one and a plain one. */
function writeConnectAgent(dir: string): void {
  writeAgentPackage(
    dir,
    "connect-agent",
    `import { z } from ${JSON.stringify(ZOD_URL)};
const tool = { description: "t", parameters: z.object({}), execute: () => ({}) };
export default {
  name: "connect-agent",
  description: "Toolkits with credentials, for the connect page tests.",
  instructions: "Test.",
  toolkits: [
    {
      name: "tracker",
      tools: { find_issue: tool },
      credential: {
        kind: "api-token",
        title: "Tracker <Cloud>",
        fields: {
          url: { label: "Server URL", secret: false, type: "url", help: "Where Tracker runs.", placeholder: "https://tracker.example.com" },
          token: { label: "API token", secret: true, help: "Profile → Security → API tokens." },
          team: { label: "Team", secret: false, required: false },
        },
        async validate(values, ctx) {
          if (values.token === "wrong") return { ok: false, message: "Tracker says: that token is not valid." };
          if (values.token === "slow") return new Promise(() => {});
          if (values.token === "explode-" + ${JSON.stringify(SECRET)}) throw new Error("cannot reach tracker with " + values.token);
          return { ok: true, metadata: { account: "alice@tracker" } };
        },
      },
    },
    {
      name: "drive",
      tools: { list_files: tool },
      credential: { kind: "oauth2", title: "Google Drive", provider: "google", scopes: ["drive.readonly"] },
    },
    { name: "plain", tools: { noop: tool } },
  ],
};
`,
  );
}

async function start(
  dataDir: string,
  agentsDir: string,
  env: Record<string, string | undefined> = {},
): Promise<Started> {
  const logs: string[] = [];
  const logger = createLogger("debug", { write: (line: string) => void logs.push(line) });
  const config = loadConfig({
    AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
    GEMINI_API_KEY: "k",
    GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9",
    AGENTLLM_RUNTIME_PORT: "0",
    AGENTLLM_PUBLIC_PORT: "0",
    AGENTLLM_DATA_DIR: dataDir,
    AGENTLLM_AGENT_DIRS: agentsDir,
    AGENTLLM_LOG_LEVEL: "debug",
    AGENTLLM_TOKEN_ENCRYPTION_KEY: Buffer.from(KEY).toString("base64url"),
    ...env,
  });
  const vault = new MemoryCredentialVault();
  const runtime = await startRuntime(config, { logger, cwd: REPO_ROOT, vault });
  return { runtime, vault, logs };
}

/** What a browser keeps from opening a connect page. */
interface OpenedPage {
  readonly response: Response;
  readonly html: string;
  readonly cookie: string | undefined;
  readonly csrf: string | undefined;
}

async function open(url: string): Promise<OpenedPage> {
  const response = await fetch(url);
  const html = await response.text();
  const setCookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith("agentllm_connect_csrf="));
  return {
    response,
    html,
    cookie: setCookie?.split(";")[0],
    csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1],
  };
}

function ticketOf(link: string): string {
  return new URL(link).searchParams.get("ticket") ?? "";
}

async function submit(
  link: string,
  fields: Record<string, string>,
  page: { cookie?: string | undefined; csrf?: string | undefined },
  ticket = ticketOf(link),
): Promise<{ response: Response; html: string }> {
  const body = new URLSearchParams({ ticket, ...(page.csrf ? { csrf: page.csrf } : {}) });
  for (const [name, value] of Object.entries(fields)) body.set(`field.${name}`, value);
  const response = await fetch(link, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(page.cookie ? { cookie: page.cookie } : {}),
    },
    body,
  });
  return { response, html: await response.text() };
}

const GOOD = { url: "https://tracker.example.com", token: SECRET, team: "" };

describe("connect pages on a started runtime", () => {
  let root: string;
  let dataDir: string;
  let agentsDir: string;
  let s: Started;
  let publicUrl: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-connect-"));
    dataDir = path.join(root, "data");
    agentsDir = path.join(root, "agents");
    writeConnectAgent(path.join(agentsDir, "connect-agent"));
    s = await start(dataDir, agentsDir, { AGENTLLM_CONNECT_VALIDATE_TIMEOUT_MS: "200" });
    publicUrl = s.runtime.publicUrl as string;
  });

  afterAll(async () => {
    await s?.runtime.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const link = (userId = "alice", toolkit = "tracker") =>
    (s.runtime.connectLinks as NonNullable<RunningRuntime["connectLinks"]>).linkFor(
      userId,
      toolkit,
    );

  describe("the listener", () => {
    it("listens on its own port, with links on it", async () => {
      expect(publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(publicUrl).not.toBe(s.runtime.url);
      expect(await link()).toMatch(
        new RegExp(`^${publicUrl}/connect/tracker\\?ticket=[\\w-]+\\.[\\w-]{43}$`),
      );
    });

    it("answers /healthz on both listeners", async () => {
      expect((await fetch(`${publicUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${s.runtime.url}/healthz`)).status).toBe(200);
    });

    it("has none of the internal API, even with the runtime token", async () => {
      const auth = { authorization: `Bearer ${RUNTIME_TOKEN}` };
      const models = await fetch(`${publicUrl}/v1/models`, { headers: auth });
      expect(models.status).toBe(404);
      expect(models.headers.get("content-type")).toMatch(/^text\/html/);
      const chat = await fetch(`${publicUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ model: "agno/connect-agent", messages: [] }),
      });
      expect(chat.status).toBe(404);
      expect((await fetch(`${publicUrl}/readyz`)).status).toBe(404);
    });

    it("is not on the internal API", async () => {
      const url = new URL(await link());
      const response = await fetch(`${s.runtime.url}${url.pathname}${url.search}`, {
        headers: { authorization: `Bearer ${RUNTIME_TOKEN}` },
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        "unknown_route",
      );
    });

    it("sends strict security headers, no HSTS over http, and no caching", async () => {
      const { response } = await open(await link());
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'unsafe-inline'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("strict-transport-security")).toBeNull();
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-powered-by")).toBeNull();
    });

    it("refuses a ticket sent twice as not valid", async () => {
      const target = await link();
      const response = await fetch(`${target}&ticket=${ticketOf(target)}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("This link is not valid");
    });

    it("refuses a form body past the limit with a page", async () => {
      const target = await link();
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `ticket=${ticketOf(target)}&field.token=${"x".repeat(33 * 1024)}`,
      });
      expect(response.status).toBe(413);
      expect(await response.text()).toContain("Too much was sent");
    });
  });

  describe("the page", () => {
    it("renders the declared fields for the ticket's user, with a CSRF cookie", async () => {
      const page = await open(await link("alice@example.com"));
      expect(page.response.status).toBe(200);
      expect(page.response.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/);
      expect(page.html).toContain("<h1>Connect Tracker &lt;Cloud&gt;</h1>");
      expect(page.html).toContain("<strong>alice@example.com</strong>");
      expect(page.html).toMatch(
        /<input id="field-url" name="field\.url" type="url" value=""[^>]* required placeholder="https:\/\/tracker\.example\.com"/,
      );
      expect(page.html).toMatch(/name="field\.token" type="password"/);
      expect(page.html).toContain("Profile → Security → API tokens.");
      expect(page.html).toContain("Team (optional)");
      expect(page.html).toContain('href="tracker/cancel">Cancel</a>');
      expect(page.csrf).toMatch(/^[\w-]{43}$/);
      const setCookie = page.response.headers.getSetCookie().join("\n");
      expect(setCookie).toMatch(
        /agentllm_connect_csrf=[\w-]{43}; Max-Age=900; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict/,
      );
      expect(setCookie).not.toContain("Secure");
    });

    it("escapes the user id", async () => {
      const page = await open(await link(`<img src=x onerror="alert(1)">`));
      expect(page.html).toContain(
        "<strong>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</strong>",
      );
      expect(page.html).not.toContain("<img");
    });

    it("names the missing settings for an OAuth toolkit when no Google client is configured", async () => {
      const page = await open(await link("alice", "drive"));
      expect(page.response.status).toBe(200);
      expect(page.html).toContain("GDRIVE_CLIENT_ID");
      expect(page.html).not.toContain("<form");
    });

    it("answers 404 pages for an unknown toolkit and one without a credential", async () => {
      for (const toolkit of ["nope", "plain"]) {
        const signed = await link("alice", toolkit);
        const response = await fetch(signed);
        expect(response.status).toBe(404);
        const body = await response.text();
        expect(body).toContain("Not found");
        expect(body).not.toContain("<form");
      }
    });

    it("cancels without saving", async () => {
      const response = await fetch(`${publicUrl}/connect/tracker/cancel`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("Nothing was saved.");
    });
  });

  describe("tickets", () => {
    const signerAt = (now: number) =>
      new TicketSigner({ key: deriveTicketKey(KEY), ttlSeconds: 900, now: () => now });

    async function refusal(url: string): Promise<{ status: number; html: string }> {
      const response = await fetch(url);
      return { status: response.status, html: await response.text() };
    }

    it.each([
      ["no ticket", (l: string) => l.replace(/\?ticket=.*$/, ""), 400, "This link has no ticket"],
      [
        "a tampered ticket",
        (l: string) => l.replace(/.(.)$/, (_m, c) => (c === "A" ? "BB" : "AA")),
        400,
        "This link is not valid",
      ],
      ["a cut ticket", (l: string) => l.slice(0, -10), 400, "This link is not valid"],
      [
        "another toolkit's ticket",
        (l: string) => l.replace("/connect/tracker", "/connect/drive"),
        403,
        "This link is for another service",
      ],
    ])(
      "refuses %s with a page saying to ask again, never the form",
      async (_what, change, status, heading) => {
        const { status: got, html } = await refusal(change(await link()));
        expect(got).toBe(status);
        expect(html).toContain(heading);
        expect(html).toContain("Ask the agent again for a fresh link.");
        expect(html).not.toContain("<form");
      },
    );

    it("refuses an expired ticket", async () => {
      const old = signerAt(Date.now() - 901_000).issue("alice", "tracker");
      const { status, html } = await refusal(`${publicUrl}/connect/tracker?ticket=${old}`);
      expect(status).toBe(410);
      expect(html).toContain("This link has expired");
      expect(html).toContain("Connect links work for 15 minutes only");
      expect(html).not.toContain("<form");
    });

    it("refuses another user's ticket moved to this user, and a ticket signed with another key", async () => {
      const bobs = ticketOf(await link("bob"));
      const [payload, mac] = bobs.split(".");
      const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
      claims.u = "alice";
      const moved = `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${mac}`;
      expect((await refusal(`${publicUrl}/connect/tracker?ticket=${moved}`)).status).toBe(400);
      const foreign = new TicketSigner({ key: new Uint8Array(32), ttlSeconds: 900 }).issue(
        "alice",
        "tracker",
      );
      expect((await refusal(`${publicUrl}/connect/tracker?ticket=${foreign}`)).status).toBe(400);
    });

    it("shows each ticket's own user, never another's", async () => {
      const bob = await open(await link("bob"));
      expect(bob.html).toContain("<strong>bob</strong>");
      expect(bob.html).not.toContain("alice");
    });
  });

  describe("the form", () => {
    it("stores the credential through the vault, marks the ticket used and says so", async () => {
      const target = await link("carol");
      const page = await open(target);
      const { response, html } = await submit(target, GOOD, page);
      expect(response.status).toBe(200);
      expect(html).toContain("Connected: go back to the chat");
      expect(html).not.toContain(SECRET);
      expect(s.vault.puts.at(-1)).toEqual({
        userId: "carol",
        toolkit: "tracker",
        credential: {
          kind: "api-token",
          secrets: { token: SECRET },
          metadata: { url: "https://tracker.example.com", account: "alice@tracker" },
        },
      });

      const replayed = await submit(target, GOOD, page);
      expect(replayed.response.status).toBe(410);
      expect(replayed.html).toContain("This link was already used");
      expect(replayed.html).not.toContain("<form");
      const reopened = await fetch(target);
      expect(reopened.status).toBe(410);
      expect(s.vault.puts.filter((p) => p.userId === "carol")).toHaveLength(1);
    });

    it("refuses a post without the page's cookie, with another page's token, or another ticket's", async () => {
      const target = await link("dave");
      const page = await open(target);
      const other = await open(await link("dave"));
      for (const forged of [
        { csrf: page.csrf },
        { cookie: page.cookie },
        { cookie: page.cookie, csrf: other.csrf },
        { cookie: other.cookie, csrf: page.csrf },
      ]) {
        const { response, html } = await submit(target, GOOD, forged);
        expect(response.status).toBe(403);
        expect(html).toContain("This form could not be verified");
        expect(html).not.toContain(SECRET);
      }
      expect(s.vault.puts.filter((p) => p.userId === "dave")).toHaveLength(0);
      // The page itself still works afterwards.
      expect((await submit(target, GOOD, page)).response.status).toBe(200);
    });

    it("shows field problems on the form again, keeping values but never the secret", async () => {
      const target = await link("erin");
      const page = await open(target);
      const { response, html } = await submit(
        target,
        { url: "ftp://tracker.example.com", token: SECRET, team: "red" },
        page,
      );
      expect(response.status).toBe(400);
      expect(html).toContain("Server URL must be an http(s) URL");
      expect(html).toContain('value="ftp://tracker.example.com"');
      expect(html).toContain('value="red"');
      expect(html).not.toContain(SECRET);
      expect(html).toContain(`name="csrf" value="${page.csrf}"`);
    });

    it("shows the service's refusal on the form again, and the ticket still works", async () => {
      const target = await link("frank");
      const page = await open(target);
      const refused = await submit(target, { ...GOOD, token: "wrong" }, page);
      expect(refused.response.status).toBe(422);
      expect(refused.html).toContain("Tracker says: that token is not valid.");
      expect(refused.html).toContain('value="https://tracker.example.com"');
      expect(refused.html).not.toContain('value="wrong"');
      expect(s.vault.puts.filter((p) => p.userId === "frank")).toHaveLength(0);
      expect((await submit(target, GOOD, page)).response.status).toBe(200);
    });

    it("stops waiting for a check past its timeout", async () => {
      const target = await link("gina");
      const page = await open(target);
      const { response, html } = await submit(target, { ...GOOD, token: "slow" }, page);
      expect(response.status).toBe(504);
      expect(html).toContain("did not answer within 1 s");
      expect(html).toContain("<form");
    });

    it("hides a failing check's error, which may quote the secret, from page and logs", async () => {
      const target = await link("hank");
      const page = await open(target);
      const { response, html } = await submit(
        target,
        { ...GOOD, token: `explode-${SECRET}` },
        page,
      );
      expect(response.status).toBe(502);
      expect(html).toContain("could not be checked with Tracker &lt;Cloud&gt;");
      expect(html).not.toContain(SECRET);
    });

    it("lets the ticket be used again when the vault fails", async () => {
      const target = await link("ivan");
      const page = await open(target);
      s.vault.failNextPut = true;
      const failed = await submit(target, GOOD, page);
      expect(failed.response.status).toBe(503);
      expect(failed.html).toContain("Not saved");
      expect((await submit(target, GOOD, page)).response.status).toBe(200);
    });

    it("never logs a secret or a ticket", async () => {
      const target = await link("judy");
      await submit(target, GOOD, await open(target));
      const all = s.logs.join("\n");
      expect(all).toContain("credential connected");
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain(ticketOf(target));
      expect(all).not.toContain(ticketOf(target).split(".")[1]);
    });
  });

  describe("after a restart", () => {
    it("still refuses a used ticket and still takes an unused one", async () => {
      const used = await link("kim");
      const usedPage = await open(used);
      expect((await submit(used, GOOD, usedPage)).response.status).toBe(200);
      const unused = await link("kim");
      await s.runtime.close();
      s = await start(dataDir, agentsDir);
      publicUrl = s.runtime.publicUrl as string;
      // The port changed (port 0): the same ticket, at the new address.
      const at = (l: string) => `${publicUrl}${new URL(l).pathname}${new URL(l).search}`;
      const replay = await submit(at(used), GOOD, usedPage);
      expect(replay.response.status).toBe(410);
      const page = await open(at(unused));
      expect(page.response.status).toBe(200);
      expect((await submit(at(unused), GOOD, page)).response.status).toBe(200);
    });
  });
});

describe("connect page rate limits", () => {
  let root: string;
  let s: Started;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-connect-limits-"));
    const agentsDir = path.join(root, "agents");
    writeConnectAgent(path.join(agentsDir, "connect-agent"));
    s = await start(path.join(root, "data"), agentsDir, {
      AGENTLLM_CONNECT_RATE_LIMIT_TICKET: "3",
      AGENTLLM_CONNECT_RATE_LIMIT_IP: "5",
    });
  });

  afterAll(async () => {
    await s?.runtime.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("takes the per-ticket limit and refuses one more; then the per-IP limit", async () => {
    const links = s.runtime.connectLinks as NonNullable<RunningRuntime["connectLinks"]>;
    const first = await links.linkFor("alice", "tracker");
    for (let i = 0; i < 3; i += 1) expect((await fetch(first)).status).toBe(200);
    const limited = await fetch(first);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.text()).toContain("Too many tries");

    const second = await links.linkFor("alice", "tracker");
    expect((await fetch(second)).status).toBe(200); // the fifth request from this address
    const byIp = await fetch(second);
    expect(byIp.status).toBe(429);
    expect(await byIp.text()).toContain("Too many requests");
    // No proxy is trusted: a client naming another address is still counted as itself.
    const spoofed = await fetch(`${s.runtime.publicUrl}/connect/tracker/cancel`, {
      headers: { "x-forwarded-for": "203.0.113.9" },
    });
    expect(spoofed.status).toBe(429);
    // Health probes are not counted.
    expect((await fetch(`${s.runtime.publicUrl}/healthz`)).status).toBe(200);
  });
});

describe("connect page rate limits behind a trusted proxy (AGENTLLM_TRUST_PROXY=1)", () => {
  let root: string;
  let s: Started;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-connect-proxied-"));
    const agentsDir = path.join(root, "agents");
    writeConnectAgent(path.join(agentsDir, "connect-agent"));
    s = await start(path.join(root, "data"), agentsDir, {
      AGENTLLM_CONNECT_RATE_LIMIT_IP: "3",
      AGENTLLM_TRUST_PROXY: "1",
    });
  });

  afterAll(async () => {
    await s?.runtime.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("counts each client the proxy names, not the proxy's own address", async () => {
    // As an Ingress controller forwards: the client's address appended to X-Forwarded-For.
    const from = (client: string) =>
      fetch(`${s.runtime.publicUrl}/connect/tracker/cancel`, {
        headers: { "x-forwarded-for": `198.51.100.77, ${client}` },
      });
    for (let i = 0; i < 3; i += 1) expect((await from("203.0.113.1")).status).toBe(200);
    expect((await from("203.0.113.1")).status).toBe(429);
    // Another user behind the same proxy has their own budget.
    expect((await from("203.0.113.2")).status).toBe(200);
    // Only the last hop is trusted: the client's own first entry changes nothing.
    const forged = await fetch(`${s.runtime.publicUrl}/connect/tracker/cancel`, {
      headers: { "x-forwarded-for": "203.0.113.3, 203.0.113.1" },
    });
    expect(forged.status).toBe(429);
  });
});

describe("the public listener's connection limits", () => {
  let root: string;
  let s: Started;
  let port: number;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-connect-conns-"));
    const agentsDir = path.join(root, "agents");
    writeConnectAgent(path.join(agentsDir, "connect-agent"));
    s = await start(path.join(root, "data"), agentsDir, {
      AGENTLLM_PUBLIC_MAX_CONNECTIONS: "2",
      AGENTLLM_PUBLIC_REQUEST_TIMEOUT_MS: "1000",
    });
    port = Number(new URL(s.runtime.publicUrl as string).port);
  });

  afterAll(async () => {
    await s?.runtime.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function connect(bytes?: string) {
    return new Promise<{ socket: net.Socket; closed: Promise<string> }>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      let data = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        data += chunk;
      });
      socket.on("error", () => {});
      const closed = new Promise<string>((done) => socket.once("close", () => done(data)));
      socket.once("connect", () => {
        if (bytes) socket.write(bytes);
        resolve({ socket, closed });
      });
    });
  }

  it("closes a half-sent form post after the request timeout, and drops connections past the cap", async () => {
    const half = await connect(
      [
        "POST /connect/tracker HTTP/1.1",
        "Host: connect",
        "Content-Type: application/x-www-form-urlencoded",
        "Content-Length: 500",
        "",
        "ticket=",
      ].join("\r\n"),
    );
    const held = await connect();
    const beyond = await connect();
    expect(await beyond.closed).toBe("");
    const answer = await half.closed;
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
    held.socket.destroy();
    await held.closed;
  }, 30_000);
});

describe("Google sign-in on the connect page (against the testkit's fake Google)", () => {
  let root: string;
  let google: FakeGoogle;
  let s: Started;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "agentllm-connect-google-"));
    const agentsDir = path.join(root, "agents");
    writeConnectAgent(path.join(agentsDir, "connect-agent"));
    google = await startFakeGoogle();
    s = await start(path.join(root, "data"), agentsDir, {
      GDRIVE_CLIENT_ID: "fake-google-client-id",
      GDRIVE_CLIENT_SECRET: "fake-google-client-secret",
      GOOGLE_OAUTH_BASE_URL: google.url,
    });
  });

  afterAll(async () => {
    await s?.runtime.close();
    await google?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** The browser: the page, the button, Google's consent screen; returns where Google sent it. */
  async function toGoogleAndBack(userId: string): Promise<{ callback: string; start: Response }> {
    const signed = await s.runtime.connectLinks.linkFor(userId, "drive");
    const page = await open(signed);
    expect(page.html).toContain('<button type="submit">Connect with Google</button>');
    const start = await fetch(signed, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(page.cookie ? { cookie: page.cookie } : {}),
      },
      body: new URLSearchParams({ ticket: ticketOf(signed), csrf: page.csrf ?? "" }),
    });
    expect(start.status).toBe(303);
    const consent = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
    return { callback: consent.headers.get("location") ?? "", start };
  }

  it("lets the consent page's origin be a form target, and nothing else", async () => {
    const page = await fetch(await s.runtime.connectLinks.linkFor("alice", "drive"));
    expect(page.headers.get("content-security-policy")).toContain(
      `form-action 'self' ${google.url}`,
    );
  });

  it("connects: PKCE and state to Google, the grant into the vault for that user, never into the page", async () => {
    const { callback, start } = await toGoogleAndBack("alice");
    const to = new URL(start.headers.get("location") ?? "");
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("redirect_uri")).toBe(
      `${s.runtime.publicUrl}/oauth/callback/google`,
    );
    expect(to.searchParams.get("scope")).toContain("drive.readonly");
    expect(callback.startsWith(`${s.runtime.publicUrl}/oauth/callback/google?`)).toBe(true);

    const done = await fetch(callback);
    const html = await done.text();
    expect(done.status).toBe(200);
    expect(html).toContain("Connected: go back to the chat");
    const stored = await s.vault.get("alice", "drive");
    expect(stored?.kind).toBe("oauth2");
    expect(stored?.metadata.email).toBe("ada@example.test");
    expect(stored?.secrets.refresh_token).toMatch(/^1\/\//);
    expect(html).not.toContain(stored?.secrets.refresh_token ?? "never");
    expect(s.logs.join("\n")).not.toContain(stored?.secrets.refresh_token ?? "never");
    expect(await s.vault.get("bob", "drive")).toBeUndefined();

    // A callback answers once: the same URL again (a replay) saves nothing more.
    const again = await fetch(callback);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("This sign-in is not one we are waiting for");
  });

  it("spends the link when the browser leaves for Google: the same link cannot start a second sign-in", async () => {
    const signed = await s.runtime.connectLinks.linkFor("carol", "drive");
    const page = await open(signed);
    const post = () =>
      fetch(signed, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie ?? "" },
        body: new URLSearchParams({ ticket: ticketOf(signed), csrf: page.csrf ?? "" }),
      });
    expect((await post()).status).toBe(303);
    const second = await post();
    expect(second.status).toBe(410);
  });

  it("refuses a callback with a state it did not send", async () => {
    const { callback } = await toGoogleAndBack("dave");
    const forged = new URL(callback);
    forged.searchParams.set("state", "made-up-state");
    const response = await fetch(forged);
    expect(response.status).toBe(400);
    expect(await s.vault.get("dave", "drive")).toBeUndefined();
  });

  it("says so when the user does not give access, and saves nothing", async () => {
    google.setConsent({ allow: false });
    try {
      const { callback } = await toGoogleAndBack("erin");
      const response = await fetch(callback);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("Google access was not given");
      expect(await s.vault.get("erin", "drive")).toBeUndefined();
    } finally {
      google.setConsent({ allow: true });
    }
  });
});
