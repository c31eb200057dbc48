import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { createDefaultResponder, type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paths, repoRoot } from "../src/repo-paths.ts";
import { type RunningStack, startStack } from "../src/start-stack.ts";

// docs/creating-agents.md, step by step, as a reader would follow it: `just new-agent`, edit the
// tool, run the package's test, `just sync-models`, start the stack, ask the new agent through
// the real LiteLLM proxy, where the fake Gemini (as in `just demo`) calls the example tool. The
// package goes to a folder under the repository's gitignored tmp/ (so @agentllm/sdk still
// resolves from the repository's node_modules), found by the runtime through
// AGENTLLM_AGENT_DIRS, listed in a copy of proxy_config.yaml: nothing in the repository changes.
const run = promisify(execFile);
const NAME = "greeter";
const MODEL = `agno/${NAME}`;

let workDir: string;
let packageDir: string;
let proxyConfig: string;
let gemini: FakeGemini | undefined;
let stack: RunningStack | undefined;

/** `npx just <recipe> …` runs `node --import tsx scripts/<recipe>.ts …`; the same, directly. */
function script(name: "new-agent" | "sync-models", ...args: string[]) {
  return run(process.execPath, ["--import", "tsx", `scripts/${name}.ts`, ...args], {
    cwd: repoRoot,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

beforeAll(() => {
  const tmp = path.join(repoRoot, "tmp");
  mkdirSync(tmp, { recursive: true });
  workDir = mkdtempSync(path.join(tmp, "new-agent-test-"));
  packageDir = path.join(workDir, `agent-${NAME}`);
  proxyConfig = path.join(workDir, "proxy_config.yaml");
  writeFileSync(proxyConfig, readFileSync(paths.proxyConfig));
});

afterAll(async () => {
  await stack?.close();
  await gemini?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe("creating an agent as docs/creating-agents.md shows", () => {
  it("1. new-agent scaffolds a package and lists it in the proxy config", async () => {
    const result = await script("new-agent", NAME, "--dir", workDir, "--config", proxyConfig);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`created ${path.relative(repoRoot, packageDir)}`);
    for (const file of [
      "package.json",
      "tsconfig.build.json",
      "vitest.config.ts",
      "src/index.ts",
      "src/agent.ts",
      "src/instructions.ts",
      "src/toolkit.ts",
      "src/tools/write-greeting.ts",
      "src/agent.test.ts",
    ]) {
      expect(existsSync(path.join(packageDir, file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
    expect(manifest).toMatchObject({
      name: `@agentllm/agent-${NAME}`,
      type: "module",
      agentllm: { agent: "./agent" },
      exports: {
        "./agent": {
          types: "./src/agent.ts",
          production: "./dist/agent.js",
          default: "./src/agent.ts",
        },
      },
    });
    expect(readFileSync(proxyConfig, "utf8")).toContain(`  - model_name: ${MODEL}\n`);
    // The repository's own config is untouched, and now out of date for this folder.
    expect(readFileSync(paths.proxyConfig, "utf8")).not.toContain(MODEL);
  }, 60_000);

  it("refuses a bad name, an existing folder and an existing agent, changing nothing", async () => {
    const before = readFileSync(proxyConfig, "utf8");
    for (const [args, message] of [
      [["Greeter"], 'invalid agent name "Greeter"'],
      [["../escape"], 'invalid agent name "../escape"'],
      [["a".repeat(64)], "at most 63 characters"],
      [[NAME], `an agent named '${NAME}' already exists`],
      [["demo-agent"], "an agent named 'demo-agent' already exists"],
      [[], "give exactly one agent name"],
    ] as const) {
      const result = await script("new-agent", ...args, "--dir", workDir, "--config", proxyConfig);
      expect(result.code, args.join(" ")).not.toBe(0);
      expect(result.stderr).toContain(message);
    }
    // A folder of that name that is not (yet) an agent.
    mkdirSync(path.join(workDir, "agent-taken"));
    const taken = await script("new-agent", "taken", "--dir", workDir, "--config", proxyConfig);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`${path.join(workDir, "agent-taken")} already exists`);
    rmSync(path.join(workDir, "agent-taken"), { recursive: true });
    expect(readFileSync(proxyConfig, "utf8")).toBe(before);
  }, 60_000);

  it("2. the example tool is edited", () => {
    const tool = path.join(packageDir, "src", "tools", "write-greeting.ts");
    const source = readFileSync(tool, "utf8");
    expect(source).toContain("great to see you!");
    writeFileSync(tool, source.replace("great to see you!", "welcome to AgentLLM!"));
    const test = path.join(packageDir, "src", "agent.test.ts");
    writeFileSync(
      test,
      readFileSync(test, "utf8").replace(
        'it("writes a greeting in the style asked for"',
        `it("writes the edited friendly greeting", async () => {
    const args = writeGreeting.parameters.parse({ name: "Ada" });
    expect((await writeGreeting.execute(args, toolContext())).greeting).toBe(
      "Hi Ada, welcome to AgentLLM!",
    );
  });

  it("writes a greeting in the style asked for"`,
      ),
    );
  });

  it("3. the package's own test passes", async () => {
    const vitest = path.join(repoRoot, "node_modules", "vitest", "vitest.mjs");
    const { stdout } = await run(process.execPath, [vitest, "run"], { cwd: packageDir });
    expect(stdout).toContain("4 passed");
  }, 60_000);

  it("4. sync-models finds the config in step (and the repository's out of step for it)", async () => {
    const check = await script("sync-models", "--check", "--config", proxyConfig, "--dir", workDir);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`${MODEL}`);
    const synced = await script("sync-models", "--config", proxyConfig, "--dir", workDir);
    expect(synced.code).toBe(0);
    // --check on a config missing the agent: exit 1, a message, and nothing written.
    const repoConfig = readFileSync(paths.proxyConfig, "utf8");
    const drift = await script("sync-models", "--check", "--dir", workDir);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain(`+ ${MODEL}`);
    expect(drift.stderr).toContain("npx just sync-models");
    expect(readFileSync(paths.proxyConfig, "utf8")).toBe(repoConfig);
  }, 60_000);

  it("5. the stack serves it: the fake Gemini calls the edited tool, through LiteLLM", async () => {
    gemini = await startFakeGemini({ port: 0, responder: createDefaultResponder({ delayMs: 0 }) });
    stack = await startStack({
      geminiApiKey: "fake-gemini-key",
      geminiBaseUrl: gemini.url,
      dataDir: path.join(workDir, "data"),
      logLevel: "warn",
      proxyConfig,
      env: { ...process.env, AGENTLLM_AGENT_DIRS: workDir },
    });
    const client = new OpenAI({
      baseURL: `${stack.proxyUrl}/v1`,
      apiKey: stack.masterKey,
      maxRetries: 0,
    });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(
      expect.arrayContaining(["agno/demo-agent", MODEL]),
    );

    // What `npx just hello "Please write a greeting for Ada" false agno/greeter` sends.
    const reply = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Please write a greeting for Ada" }] },
      { headers: { "X-OpenWebUI-User-Id": "hello-user", "X-OpenWebUI-Chat-Id": "hello-chat" } },
    );
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain('<details type="tool_calls"');
    expect(content).toContain('name="write_greeting"');
    expect(content).toContain("Hi Ada, welcome to AgentLLM!");
    const call = gemini.requests
      .flatMap((request) => request.body.contents ?? [])
      .flatMap((content) => content.parts ?? [])
      .find((part) => part.functionResponse?.name === "write_greeting");
    expect(call?.functionResponse?.response).toEqual({
      greeting: "Hi Ada, welcome to AgentLLM!",
      style: "friendly",
    });
  }, 180_000);

  it("6. it compiles for the production runtime, which then loads it", async () => {
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-b", path.join(packageDir, "tsconfig.build.json")], {
      cwd: repoRoot,
    });
    const compiled = pathToFileURL(path.join(packageDir, "dist", "agent.js")).href;
    const { stdout } = await run(
      process.execPath,
      [
        "--conditions=production",
        "--input-type=module",
        "-e",
        `const agent = (await import(${JSON.stringify(compiled)})).default; console.log(agent.name, Object.keys(agent.toolkits[0].tools).join())`,
      ],
      { cwd: repoRoot },
    );
    expect(stdout.trim()).toBe(`${NAME} write_greeting`);
  }, 120_000);
});
