import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo-paths.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// The recipes a user types against a running stack, run as typed (`npx just …`), on a stack whose
// proxy trusts only signed identities: `just hello` must sign its own, `just tokens` must see the
// user it signed for, and a plain user header must identify nobody.

const run = promisify(execFile);
const SECRET = "recipes-test-identity-secret-0123456789abcdef";

describe("just hello and just tokens on a stack in JWT identity mode", () => {
  let fixture: StackFixture;

  beforeAll(async () => {
    fixture = await startStackFixture({ env: { AGENTLLM_IDENTITY_JWT_SECRET: SECRET } });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  function just(args: string[], env: Record<string, string> = {}) {
    return run("npx", ["just", ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        AGENTLLM_PROXY_PORT: new URL(fixture.stack.proxyUrl).port,
        LITELLM_MASTER_KEY: fixture.stack.masterKey,
        AGENTLLM_DATA_DIR: fixture.dataDir,
        ...env,
      },
    });
  }

  it("hello signs a token the bridge accepts, and the chat is stored for that user", async () => {
    const { stdout } = await just(["hello", "Hello there"], {
      AGENTLLM_IDENTITY_JWT_SECRET: SECRET,
    });
    const answer = JSON.parse(stdout) as { choices: { message: { content: string } }[] };
    expect(answer.choices[0]?.message.content).toBeTruthy();

    const listed = JSON.parse((await just(["tokens", "--json"])).stdout) as {
      userId: string;
      agents: { agent: string; chats: number; turns: number }[];
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]?.userId).toBe("hello-user");
    expect(listed[0]?.agents).toEqual([
      expect.objectContaining({ agent: "demo-agent", chats: 1, turns: 1 }),
    ]);
  });

  it("without the secret, hello's plain user header identifies nobody: answered, stored for no one", async () => {
    const { stdout } = await just(["hello", "Who am I?"], { AGENTLLM_IDENTITY_JWT_SECRET: "" });
    expect(JSON.parse(stdout).choices[0].message.content).toBeTruthy();
    const listed = JSON.parse((await just(["tokens", "--json"])).stdout) as { userId: string }[];
    expect(listed.map((user) => user.userId)).toEqual(["hello-user"]);
    expect((await just(["tokens"])).stdout).toMatch(
      /1 user\(s\) in .*\n\nhello-user\n {2}demo-agent: 1 chat\(s\), 1 turn\(s\)/,
    );
  });
});
