import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { OPEN_WEBUI_VERSION } from "../src/open-webui.ts";
import { repoRoot } from "../src/repo-paths.ts";
import {
  type ComposeConfig,
  ComposeConfigError,
  interpolatedVariables,
  type ResolvedCompose,
  resolveCompose,
} from "./compose-config.ts";
import {
  composeCommandProblems,
  imageCommandProblems,
  leakedVariables,
  missingVariables,
  parsePortTable,
  portProblems,
  undocumentedVariables,
} from "./container-checks.ts";
import { Containerfile } from "./containerfile.ts";
import { packageSources, sourceFiles, variablesRead, variablesReadIn } from "./variables-read.ts";

// Static validation of Containerfile, compose.yaml and compose.dev.yaml: no container engine
// runs on our machines or CI, so everything that can be checked without one is checked here,
// with the real tools (Docker Compose v2's `config`, hadolint) where they exist. Each check also
// runs once on a broken copy, to show it catches the mistake it is for.

const run = promisify(execFile);
const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");

const containerfileText = read("Containerfile");
const containerfile = new Containerfile(containerfileText);
const composeTexts = [read("compose.yaml"), read("compose.dev.yaml")];
const docs = read("docs/configuration.md");
const template = read(".env.secrets.template");

/** The final images compose builds, and the published ones' services. */
const FINAL_TARGETS = ["runtime", "proxy"] as const;

let prod: ResolvedCompose;
let dev: ResolvedCompose;

beforeAll(async () => {
  [prod, dev] = await Promise.all([
    resolveCompose(["compose.yaml"]),
    resolveCompose(["compose.yaml", "compose.dev.yaml"]),
  ]);
});

/** A deep copy of a resolved config with one service changed. */
function withService(
  config: ComposeConfig,
  name: string,
  change: Record<string, unknown>,
): ComposeConfig {
  const copy = structuredClone(config) as { services: Record<string, Record<string, unknown>> };
  copy.services[name] = { ...copy.services[name], ...change };
  return copy as ComposeConfig;
}

describe("compose files resolve with Docker Compose v2", () => {
  it("compose.yaml and compose.yaml + compose.dev.yaml pass `config`", () => {
    expect(Object.keys(prod.config.services).sort()).toEqual([
      "litellm-db",
      "litellm-proxy",
      "open-webui",
      "runtime",
    ]);
    expect(dev.config.services.runtime?.build?.target).toBe("runtime-dev");
  });

  it("refuses a broken file with compose's own message", async () => {
    const broken = read("compose.yaml").replace("    ports:\n", "    port:\n");
    await expect(resolveCompose([{ name: "compose.yaml", text: broken }])).rejects.toThrow(
      ComposeConfigError,
    );
  });

  it("says `run npx just secrets` when .env.secrets lacks a required secret", async () => {
    await expect(resolveCompose(["compose.yaml"], { secrets: template })).rejects.toThrow(
      /is not set: run `npx just secrets` first/,
    );
  });
});

describe("every command a service runs exists in its image", () => {
  it("commands and healthchecks of compose.yaml", () => {
    expect(composeCommandProblems(containerfile, prod.config, prod.dir)).toEqual([]);
  });

  it("commands and healthchecks of the dev overlay (mounted sources included)", () => {
    expect(composeCommandProblems(containerfile, dev.config, dev.dir)).toEqual([]);
  });

  it("each final image's own CMD and HEALTHCHECK", () => {
    expect(FINAL_TARGETS.flatMap((target) => imageCommandProblems(containerfile, target))).toEqual(
      [],
    );
  });

  it("catches a missing executable, module, entry file and mount", () => {
    const problems = (name: string, change: Record<string, unknown>, config = prod) =>
      composeCommandProblems(containerfile, withService(config.config, name, change), config.dir);
    expect(
      problems("runtime", {
        healthcheck: { test: ["CMD", "curl", "-f", "http://127.0.0.1:9510/readyz"] },
      }),
    ).toEqual(["runtime healthcheck: curl is not installed in build target runtime"]);
    expect(
      problems("litellm-proxy", { command: ["python", "-m", "agentllm_bridge.serv"] }),
    ).toEqual(["litellm-proxy command: module agentllm_bridge.serv is not a module in bridge/src"]);
    expect(problems("runtime", { command: ["node", "packages/runtime/dist/nope.js"] })).toEqual([
      "runtime command: packages/runtime/dist/nope.js is compiled from packages/runtime/src/nope.ts, which does not exist",
    ]);
    expect(problems("runtime", { command: ["node", "packages/testkit/dist/index.js"] })).toEqual([
      "runtime command: packages/testkit/dist/index.js needs packages/testkit in tsconfig.build.json's references (it is not built)",
    ]);
    expect(problems("runtime", { command: ["node", "packages/runtime/src/main.ts"] })).toEqual([
      "runtime command: packages/runtime/src/main.ts is neither copied into the image nor mounted",
    ]);
    expect(
      problems(
        "runtime",
        { build: { context: ".", target: "runtime" }, command: ["node_modules/.bin/tsx", "x.ts"] },
        dev,
      )[0],
    ).toBe("runtime command: node_modules/.bin/tsx is a dev dependency, which this target prunes");
    const mounts = dev.config.services["litellm-proxy"]?.volumes ?? [];
    const moved = mounts.map((volume) =>
      volume.target.endsWith(".sh") ? { ...volume, source: `${volume.source}.moved` } : volume,
    );
    expect(problems("litellm-proxy", { volumes: moved }, dev)).toEqual([
      "litellm-proxy command: /app/scripts/restart-on-change.sh is mounted from scripts/restart-on-change.sh.moved, which does not exist",
    ]);
  });
});

describe("ports follow the table in docs/architecture.md", () => {
  const rows = parsePortTable(read("docs/architecture.md"));

  it("the table has the design's ports", () => {
    expect(rows.map((row) => `${row.port} ${row.service} ${row.published}`)).toEqual(
      expect.arrayContaining([
        "9500 open-webui true",
        "9501 litellm-proxy true",
        "9502 runtime true",
        "9510 runtime false",
      ]),
    );
  });

  it("compose publishes exactly the published rows, in both modes", () => {
    expect(portProblems(prod.config, rows)).toEqual([]);
    expect(portProblems(dev.config, rows)).toEqual([]);
    // The runtime's public listener only; its internal API stays on the compose network.
    expect(
      (prod.config.services.runtime?.ports ?? []).map((p) => `${p.published}->${p.target}`),
    ).toEqual(["9502->9502"]);
  });

  it("each final image exposes its service's container port", () => {
    const exposed = (target: string) =>
      containerfile
        .chain(target)
        .flatMap((stage) =>
          stage.instructions.filter((i) => i.keyword === "EXPOSE").map((i) => Number(i.args)),
        );
    expect(exposed("proxy")).toContain(
      rows.find((row) => row.service === "litellm-proxy")?.containerPort,
    );
    expect(exposed("runtime")).toEqual(expect.arrayContaining([9510, 9502]));
  });

  it("catches a published runtime port and a table that drifted", () => {
    const published = withService(prod.config, "runtime", {
      ports: [
        { target: 9502, published: "9502" },
        { target: 9510, published: "9510" },
      ],
    });
    expect(portProblems(published, rows)).toEqual([
      "compose publishes runtime 9510->9510, which the ports table does not list as published",
    ]);
    const drifted = rows.map((row) => (row.port === 9500 ? { ...row, containerPort: 3000 } : row));
    expect(portProblems(prod.config, drifted)).toHaveLength(2);
  });
});

describe("variables reach the services that read them, documented", () => {
  const runtimePackages = readdirSync(path.join(repoRoot, "packages")).filter(
    (name) => !["stack", "testkit"].includes(name),
  );
  const runtimeReads = variablesReadIn(runtimePackages.flatMap(packageSources), {
    skipComments: true,
  });
  const proxyConfigReads = [...read("proxy_config.yaml").matchAll(/os\.environ\/(\w+)/g)].map(
    (m) => m[1] as string,
  );
  const proxyReads = new Set([
    ...variablesReadIn(sourceFiles(path.join(repoRoot, "bridge/src")), { skipComments: true }),
    ...proxyConfigReads,
  ]);

  it("finds what each side reads", () => {
    expect([...runtimeReads]).toEqual(
      expect.arrayContaining(["AGENTLLM_RUNTIME_TOKEN", "GEMINI_API_KEY"]),
    );
    expect([...proxyReads]).toEqual(
      expect.arrayContaining([
        "AGENTLLM_RUNTIME_URL",
        "AGENTLLM_PROXY_MAX_BODY_BYTES",
        "LITELLM_MASTER_KEY",
      ]),
    );
  });

  it("compose passes every variable the runtime and the bridge read", () => {
    for (const { config } of [prod, dev]) {
      expect(missingVariables(config, "runtime", runtimeReads)).toEqual([]);
      expect(missingVariables(config, "litellm-proxy", proxyReads)).toEqual([]);
    }
  });

  it("no service sees another's secrets", () => {
    expect([
      ...leakedVariables(prod.config, "runtime", [/^LITELLM_/, /^WEBUI_/]),
      ...leakedVariables(prod.config, "open-webui", [
        /^GEMINI_/,
        /^GOOGLE_/,
        /^AGENTLLM_RUNTIME_/,
        /^LITELLM_DB_/,
        /^DATABASE_URL$/,
      ]),
      ...leakedVariables(prod.config, "litellm-db", [/^(?!POSTGRES_)/]),
      // The credential key is the runtime's alone.
      ...leakedVariables(prod.config, "litellm-proxy", [/^AGENTLLM_TOKEN_ENCRYPTION_KEY$/]),
      ...leakedVariables(prod.config, "open-webui", [/^AGENTLLM_TOKEN_ENCRYPTION_KEY$/]),
    ]).toEqual([]);
    expect(prod.config.services.runtime?.environment?.AGENTLLM_TOKEN_ENCRYPTION_KEY).toBeTruthy();
    // LiteLLM's database reaches the proxy only, and the proxy's is LiteLLM's own.
    expect(prod.config.services["litellm-proxy"]?.environment?.DATABASE_URL).toMatch(
      /@litellm-db:5432\/litellm$/,
    );
  });

  it("every variable compose passes that our code reads, and every variable it interpolates, is documented", () => {
    const ours = variablesRead();
    const passed = Object.values(prod.config.services).flatMap((service) =>
      Object.keys(service.environment ?? {}),
    );
    const named = new Set([
      ...passed.filter((name) => ours.has(name)),
      ...interpolatedVariables(composeTexts),
    ]);
    expect(named.size).toBeGreaterThan(10);
    expect(undocumentedVariables(named, docs, template)).toEqual([]);
  });

  it("catches a variable compose forgets and one the docs lack", () => {
    const environment = { ...prod.config.services.runtime?.environment };
    delete environment.AGENTLLM_MAX_STEPS;
    const forgot = withService(prod.config, "runtime", { environment });
    expect(missingVariables(forgot, "runtime", runtimeReads)).toEqual([
      "runtime reads AGENTLLM_MAX_STEPS, but compose does not pass it",
    ]);
    expect(
      undocumentedVariables(
        ["LITELLM_DB_PASSWORD"],
        docs.replaceAll("`LITELLM_DB_PASSWORD`", ""),
        template,
      ),
    ).toEqual(["LITELLM_DB_PASSWORD is not in docs/configuration.md"]);
    expect(
      leakedVariables(
        withService(prod.config, "open-webui", { environment: { GEMINI_API_KEY: "x" } }),
        "open-webui",
        [/^GEMINI_/],
      ),
    ).toHaveLength(1);
  });
});

describe("services start in order and stay up", () => {
  it("every service has a healthcheck, restarts unless stopped, and waits for healthy dependencies", () => {
    for (const [name, service] of Object.entries(prod.config.services)) {
      expect(service.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0);
      expect(service.restart, `${name} restart`).toBe("unless-stopped");
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} depends on ${dependency}`).toBe("service_healthy");
      }
    }
    expect(Object.keys(prod.config.services["litellm-proxy"]?.depends_on ?? {}).sort()).toEqual([
      "litellm-db",
      "runtime",
    ]);
    expect(Object.keys(prod.config.services["open-webui"]?.depends_on ?? {})).toEqual([
      "litellm-proxy",
    ]);
  });

  it("data lives in named volumes", () => {
    const volumeOf = (name: string) =>
      prod.config.services[name]?.volumes?.find((volume) => volume.type === "volume")?.target;
    expect(volumeOf("runtime")).toBe("/data");
    expect(prod.config.services.runtime?.environment?.AGENTLLM_DATA_DIR).toBe("/data");
    expect(volumeOf("open-webui")).toBe("/app/backend/data");
    expect(volumeOf("litellm-db")).toBe("/var/lib/postgresql/data");
  });
});

describe("images", () => {
  it("Open WebUI is the release the browser tests run", () => {
    expect(prod.config.services["open-webui"]?.image).toBe(
      `ghcr.io/open-webui/open-webui:v${OPEN_WEBUI_VERSION}`,
    );
  });

  it("every base and service image is pinned by tag, never latest", () => {
    const images = [
      ...containerfile.stages.map((stage) => stage.from).filter((from) => from.includes(":")),
      ...Object.values(prod.config.services).flatMap((service) =>
        service.build ? [] : [service.image ?? ""],
      ),
    ];
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const image of images) expect(image, image).toMatch(/:(?!latest$)[\w.-]+$/);
  });

  it("final images run as a numeric non-root user and hold no secret", () => {
    for (const target of FINAL_TARGETS) {
      const users = containerfile.stage(target).instructions.filter((i) => i.keyword === "USER");
      expect(users.at(-1)?.args, target).toMatch(/^[1-9]\d*(:\d+)?$/);
    }
    const secretish = /\b\w*(KEY|TOKEN|SECRET|PASSWORD)\w*\s*=/;
    const settings = containerfile.stages.flatMap((stage) =>
      stage.instructions
        .filter((i) => i.keyword === "ENV" || i.keyword === "ARG")
        .map((i) => i.args),
    );
    expect(settings.filter((args) => secretish.test(args))).toEqual([]);
  });

  it("docker's build reads the same ignore file as podman's (no secrets, node_modules or dist in the context)", () => {
    expect(read(".dockerignore")).toBe(read(".containerignore"));
    expect(read(".containerignore")).toMatch(
      /^\.env\*$[\s\S]*^\*\*\/node_modules$[\s\S]*^\*\*\/dist$/m,
    );
  });

  it("the runtime keeps its data in /data, a volume", () => {
    const volumes = containerfile
      .stage("runtime")
      .instructions.filter((i) => i.keyword === "VOLUME");
    expect(volumes.map((i) => i.args)).toEqual(['["/data"]']);
  });
});

describe("hadolint", () => {
  const hadolint = path.join(repoRoot, "bridge/.venv/bin/hadolint");
  const lint = (file: string) =>
    run(hadolint, ["--config", path.join(repoRoot, ".hadolint.yaml"), "--no-color", file]).then(
      () => "",
      (error: { stdout?: string }) => error.stdout || "failed",
    );

  it("passes the Containerfile", async () => {
    expect(await lint(path.join(repoRoot, "Containerfile"))).toBe("");
  });

  it("gives a reason for every rule it ignores", () => {
    const config = read(".hadolint.yaml");
    const ignored = [...config.matchAll(/^\s*- (DL\d+|SC\d+)\s*$/gm)].map((m) => m[1]);
    expect(ignored.length).toBeGreaterThan(0);
    for (const rule of ignored) {
      expect(config, `${rule} needs a comment saying why`).toMatch(
        new RegExp(`#[^\\n]*\\n(\\s*#[^\\n]*\\n)*\\s*- ${rule}\\b`),
      );
    }
  });

  it("fails a Containerfile with an unpinned base image running as root", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-hadolint-"));
    const broken = path.join(dir, "Containerfile");
    writeFileSync(
      broken,
      containerfileText
        .replace(/^ARG NODE_IMAGE=.*$/m, "ARG NODE_IMAGE=node")
        .replace(/^USER 10001:10001$/gm, "USER root"),
    );
    expect(await lint(broken)).toMatch(/DL3006|DL3002/);
  });
});

describe("scripts/container-engine.sh", () => {
  const script = path.join(repoRoot, "scripts/container-engine.sh");

  /** Runs the script with a PATH holding only `dirname` and the given fake engines. */
  async function engine(
    fakes: Record<string, (name: string) => string>,
    args: string[],
    env: Record<string, string> = {},
  ) {
    const bin = mkdtempSync(path.join(os.tmpdir(), "agentllm-engine-"));
    symlinkSync(
      (await run("bash", ["-c", "command -v dirname"])).stdout.trim(),
      path.join(bin, "dirname"),
    );
    for (const [name, body] of Object.entries(fakes)) {
      writeFileSync(path.join(bin, name), `#!/bin/bash\n${body(name)}\n`, { mode: 0o755 });
    }
    return run("/bin/bash", [script, ...args], { env: { PATH: bin, ...env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }
  /** A fake engine whose every command works and prints itself; one without `compose`. */
  const works = (name: string) => `echo "${name} $*"`;
  const noCompose = (name: string) => `[ "$1" = compose ] && exit 1; echo "${name} $*"`;

  it("without podman or docker: one line naming what to install", async () => {
    const result = await engine({}, ["dev", "compose", "up"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "dev: no container engine: install podman and podman-compose (or docker with its compose plugin)\n",
    );
  });

  it("podman without a compose provider, and docker without its plugin, are named", async () => {
    expect((await engine({ podman: noCompose }, ["dev-stop", "engine", "ps"])).stderr).toBe(
      "dev-stop: podman is installed but `podman compose` has no provider: install podman-compose (or docker-compose)\n",
    );
    expect((await engine({ docker: noCompose }, ["dev-stop", "engine", "ps"])).stderr).toMatch(
      /^dev-stop: docker is installed but `docker compose` is missing: install the docker compose plugin/,
    );
  });

  it("prefers podman, falls back to docker, and obeys AGENTLLM_CONTAINER_ENGINE", async () => {
    expect((await engine({ podman: works, docker: works }, ["x", "engine", "ps"])).stdout).toBe(
      "podman ps\n",
    );
    expect((await engine({ podman: noCompose, docker: works }, ["x", "engine", "ps"])).stdout).toBe(
      "docker ps\n",
    );
    const chosen = await engine({ podman: works, docker: works }, ["x", "engine", "ps"], {
      AGENTLLM_CONTAINER_ENGINE: "docker",
    });
    expect(chosen.stdout).toBe("docker ps\n");
    const wrong = await engine({ podman: works }, ["x", "engine", "ps"], {
      AGENTLLM_CONTAINER_ENGINE: "rkt",
    });
    expect(wrong.stderr).toBe("x: AGENTLLM_CONTAINER_ENGINE must be podman or docker, not 'rkt'\n");
  });
});
