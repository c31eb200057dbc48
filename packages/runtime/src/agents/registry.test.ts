import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { AgentDefinition } from "@agentllm/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidAgentPackageError } from "../errors/invalid-agent-package-error.ts";
import { UnknownAgentError } from "../errors/unknown-agent-error.ts";
import {
  type AgentPackage,
  discoverAgentPackages,
  nodeModulesAbove,
  resolveAgentEntry,
} from "./discover-agent-packages.ts";
import { toGeminiTools } from "./loop/to-gemini-tools.ts";
import {
  AgentRegistry,
  loadAgentPackage,
  loadAgentRegistry,
  MODEL_PREFIX,
  type RegisteredAgent,
} from "./registry.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
/** The repo's zod, imported by absolute URL from the generated agent modules in /tmp. */
const ZOD_URL = pathToFileURL(path.join(REPO_ROOT, "node_modules", "zod", "index.js")).href;

/** A plain-JS agent module whose default export is `agentSource` (a JS expression). */
function agentModule(agentSource: string): string {
  return `import { z } from ${JSON.stringify(ZOD_URL)};\nexport default ${agentSource};\n`;
}

function validAgentSource(name: string, toolName = "get_thing"): string {
  return `{
  name: ${JSON.stringify(name)},
  description: "The ${name} agent",
  instructions: "Be helpful.",
  toolkits: [
    {
      name: "things",
      tools: {
        ${toolName}: {
          description: "Gets a thing.",
          parameters: z.object({ id: z.string() }),
          execute: (args) => ({ id: args.id }),
        },
      },
    },
  ],
  maxSteps: 4,
}`;
}

interface FakePackage {
  /** Folder name(s) under the parent, e.g. "agent-a" or "@scope/agent-b". */
  readonly dir: string;
  readonly manifest: Record<string, unknown> | string | null;
  /** File name → contents, written next to package.json. */
  readonly files?: Record<string, string>;
}

function writePackage(parent: string, pkg: FakePackage): string {
  const packageDir = path.join(parent, pkg.dir);
  fs.mkdirSync(packageDir, { recursive: true });
  if (pkg.manifest !== null) {
    const text = typeof pkg.manifest === "string" ? pkg.manifest : JSON.stringify(pkg.manifest);
    fs.writeFileSync(path.join(packageDir, "package.json"), text);
  }
  for (const [file, contents] of Object.entries(pkg.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(packageDir, file)), { recursive: true });
    fs.writeFileSync(path.join(packageDir, file), contents);
  }
  return packageDir;
}

/** An agent package: manifest with `agentllm.agent` and an agent module. */
function agentPackage(dir: string, packageName: string, agentSource: string): FakePackage {
  return {
    dir,
    manifest: { name: packageName, version: "1.0.0", agentllm: { agent: "./agent.mjs" } },
    files: { "agent.mjs": agentModule(agentSource) },
  };
}

/**
 * An agent package the way ours are laid out: `agentllm.agent` names the `./agent` subpath of
 * its exports, whose `production` target is compiled JavaScript and `default` the source.
 * Here both are plain JS modules that say which one they are in the agent's description.
 */
function dualPackage(dir: string, packageName: string, agentSource: string): FakePackage {
  return {
    dir,
    manifest: {
      name: packageName,
      type: "module",
      exports: {
        ".": "./main.mjs",
        "./agent": { production: "./dist/agent.mjs", default: "./src/agent.mjs" },
      },
      agentllm: { agent: "./agent" },
    },
    files: {
      "src/agent.mjs": agentModule(agentSource.replaceAll("%FORM%", "source")),
      "dist/agent.mjs": agentModule(agentSource.replaceAll("%FORM%", "compiled")),
    },
  };
}

function registered(name: string, packageName = `pkg-${name}`): RegisteredAgent {
  const definition: AgentDefinition = {
    name,
    description: `${name} agent`,
    instructions: "hi",
    toolkits: [],
  };
  return { definition, packageName, toolset: toGeminiTools([]) };
}

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-registry-"));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe("nodeModulesAbove", () => {
  it("lists every node_modules from the folder up to the root, nearest first", () => {
    expect(nodeModulesAbove("/a/b/c")).toEqual([
      "/a/b/c/node_modules",
      "/a/b/node_modules",
      "/a/node_modules",
      "/node_modules",
    ]);
  });

  it("lists only /node_modules for the root", () => {
    expect(nodeModulesAbove("/")).toEqual(["/node_modules"]);
  });

  it("does not nest node_modules inside node_modules", () => {
    expect(nodeModulesAbove("/app/node_modules/pkg")).toEqual([
      "/app/node_modules/pkg/node_modules",
      "/app/node_modules",
      "/node_modules",
    ]);
  });

  it("resolves a relative folder against the process cwd", () => {
    expect(nodeModulesAbove("sub")[0]).toBe(path.join(process.cwd(), "sub", "node_modules"));
  });
});

describe("discoverAgentPackages", () => {
  it("finds plain and scoped agent packages and resolves their entries", async () => {
    const modules = path.join(root, "node_modules");
    const plainDir = writePackage(modules, agentPackage("agent-a", "agent-a", "{}"));
    const scopedDir = writePackage(modules, agentPackage("@acme/agent-b", "@acme/agent-b", "{}"));
    const found = await discoverAgentPackages([modules]);
    expect(found).toHaveLength(2);
    expect(found).toEqual(
      expect.arrayContaining([
        { packageName: "agent-a", packageDir: plainDir, agent: "./agent.mjs", hasExports: false },
        {
          packageName: "@acme/agent-b",
          packageDir: scopedDir,
          agent: "./agent.mjs",
          hasExports: false,
        },
      ]),
    );
    expect(found.map(resolveAgentEntry).sort()).toEqual(
      [path.join(plainDir, "agent.mjs"), path.join(scopedDir, "agent.mjs")].sort(),
    );
  });

  it("resolves an entry in a sub-folder of the package", async () => {
    const modules = path.join(root, "node_modules");
    const dir = writePackage(modules, {
      dir: "deep",
      manifest: { name: "deep", agentllm: { agent: "./src/lib/agent.mjs" } },
    });
    const [found] = await discoverAgentPackages([modules]);
    if (!found) throw new Error("package not discovered");
    expect(resolveAgentEntry(found)).toBe(path.join(dir, "src", "lib", "agent.mjs"));
  });

  it("notes whether the manifest has exports", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, dualPackage("dual", "dual", "{}"));
    const [found] = await discoverAgentPackages([modules]);
    expect(found).toMatchObject({ packageName: "dual", agent: "./agent", hasExports: true });
  });

  it("ignores packages that are not agents, broken manifests, files and dot-folders", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, agentPackage("real-agent", "real-agent", "{}"));
    writePackage(modules, {
      dir: "lodash-ish",
      manifest: { name: "lodash-ish", version: "1.0.0" },
    });
    writePackage(modules, { dir: "no-manifest", manifest: null });
    writePackage(modules, { dir: "bad-json", manifest: "{ not json" });
    writePackage(modules, {
      dir: "empty-entry",
      manifest: { name: "empty-entry", agentllm: { agent: "" } },
    });
    writePackage(modules, {
      dir: "field-wrong-type",
      manifest: { name: "x", agentllm: "./agent.mjs" },
    });
    writePackage(modules, { dir: "nameless", manifest: { agentllm: { agent: "./agent.mjs" } } });
    writePackage(modules, agentPackage(".bin", "dot-bin", "{}"));
    writePackage(modules, agentPackage("@scope/.hidden-ok", "@scope/not-hidden", "{}"));
    fs.writeFileSync(path.join(modules, ".package-lock.json"), "{}");
    fs.writeFileSync(path.join(modules, "stray-file.js"), "");
    fs.writeFileSync(path.join(modules, "@scope", "stray.txt"), "");
    const names = (await discoverAgentPackages([modules])).map((pkg) => pkg.packageName).sort();
    // Scoped entries are not filtered by a leading dot; only top-level folders are.
    expect(names).toEqual(["@scope/not-hidden", "real-agent"]);
  });

  it("follows symlinked packages, as npm workspaces install them", async () => {
    const source = writePackage(root, agentPackage("workspace/agent-c", "agent-c", "{}"));
    const modules = path.join(root, "node_modules");
    fs.mkdirSync(path.join(modules, "@ws"), { recursive: true });
    fs.symlinkSync(source, path.join(modules, "agent-c"), "dir");
    fs.symlinkSync(source, path.join(modules, "@ws", "agent-c"), "dir");
    const found = await discoverAgentPackages([modules]);
    expect(found.map((pkg) => pkg.packageName)).toEqual(["agent-c"]);
  });

  it("skips folders that do not exist", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, agentPackage("agent-a", "agent-a", "{}"));
    const found = await discoverAgentPackages([path.join(root, "missing"), modules]);
    expect(found.map((pkg) => pkg.packageName)).toEqual(["agent-a"]);
  });

  it("keeps the first package of a name, in folder order", async () => {
    const near = path.join(root, "app", "node_modules");
    const far = path.join(root, "node_modules");
    const nearDir = writePackage(near, agentPackage("dup", "dup", "{}"));
    writePackage(far, agentPackage("dup", "dup", "{}"));
    writePackage(far, agentPackage("only-far", "only-far", "{}"));
    const found = await discoverAgentPackages([near, far]);
    expect(found.map((pkg) => pkg.packageName).sort()).toEqual(["dup", "only-far"]);
    expect(found.find((pkg) => pkg.packageName === "dup")?.packageDir).toBe(nearDir);

    const reversed = await discoverAgentPackages([far, near]);
    expect(reversed.find((pkg) => pkg.packageName === "dup")?.packageDir).toBe(
      path.join(far, "dup"),
    );
  });

  it("keys on the manifest name, not the folder name", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, agentPackage("folder-one", "same-name", "{}"));
    writePackage(modules, agentPackage("folder-two", "same-name", "{}"));
    expect(await discoverAgentPackages([modules])).toHaveLength(1);
  });

  it("finds nothing in an empty folder", async () => {
    expect(await discoverAgentPackages([root])).toEqual([]);
    expect(await discoverAgentPackages([])).toEqual([]);
  });
});

describe("resolveAgentEntry", () => {
  async function discoverOne(pkg: FakePackage): Promise<AgentPackage> {
    const modules = path.join(root, "node_modules");
    writePackage(modules, pkg);
    const [found] = await discoverAgentPackages([modules]);
    if (!found) throw new Error("package not discovered");
    return found;
  }

  const invalidError = (pkg: AgentPackage): InvalidAgentPackageError => {
    try {
      resolveAgentEntry(pkg);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidAgentPackageError);
      expect((error as InvalidAgentPackageError).packageDir).toBe(pkg.packageDir);
      return error as InvalidAgentPackageError;
    }
    throw new Error("resolveAgentEntry did not throw");
  };

  it("resolves an exports subpath to its default target without conditions", async () => {
    const pkg = await discoverOne(dualPackage("dual", "@acme/dual", "{}"));
    expect(resolveAgentEntry(pkg)).toBe(path.join(pkg.packageDir, "src", "agent.mjs"));
  });

  it("resolves the package's main export when the manifest names '.'", async () => {
    const pkg = await discoverOne({
      dir: "main-agent",
      manifest: {
        name: "main-agent",
        exports: { ".": { production: "./dist/index.js", default: "./index.mjs" } },
        agentllm: { agent: "." },
      },
      files: { "index.mjs": "" },
    });
    expect(resolveAgentEntry(pkg)).toBe(path.join(pkg.packageDir, "index.mjs"));
  });

  it("takes a path the exports do not list as a file in the package", async () => {
    const pkg = await discoverOne({
      dir: "file-agent",
      manifest: {
        name: "file-agent",
        exports: { ".": "./index.mjs" },
        agentllm: { agent: "./src/agent.mjs" },
      },
      files: { "src/agent.mjs": "" },
    });
    expect(resolveAgentEntry(pkg)).toBe(path.join(pkg.packageDir, "src", "agent.mjs"));
  });

  it("never looks up another package of the same name when there are no exports", async () => {
    // Without an exports map a self-reference would fall back to node_modules lookup.
    writePackage(path.join(root, "node_modules"), {
      dir: "twin/node_modules/twin",
      manifest: { name: "twin", exports: { "./agent": "./elsewhere.mjs" } },
      files: { "elsewhere.mjs": "" },
    });
    const pkg = await discoverOne({
      dir: "twin",
      manifest: { name: "twin", agentllm: { agent: "./agent" } },
    });
    expect(resolveAgentEntry(pkg)).toBe(path.join(pkg.packageDir, "agent"));
  });

  it("fails naming the package when the subpath is neither exported nor a file", async () => {
    const pkg = await discoverOne({
      dir: "not-exported",
      manifest: {
        name: "not-exported",
        exports: { ".": "./index.mjs", "./agent": { production: "./dist/agent.mjs" } },
        agentllm: { agent: "./agent" },
      },
    });
    const error = invalidError(pkg);
    expect(error.message).toContain(pkg.packageDir);
    expect(error.message).toContain(
      'agentllm.agent "./agent" is neither exported by the package under the conditions this runtime runs with nor a file in it',
    );
  });

  it("fails naming the package and the missing file when the export's target is absent", async () => {
    const pkg = await discoverOne({
      dir: "unbuilt",
      manifest: {
        name: "unbuilt",
        exports: { "./agent": { default: "./dist/agent.js" } },
        agentllm: { agent: "./agent" },
      },
    });
    const error = invalidError(pkg);
    expect(error.message).toContain('cannot resolve agentllm.agent "./agent"');
    expect(error.message).toContain(path.join(pkg.packageDir, "dist", "agent.js"));
    expect(error.message).toContain("is the package built?");
  });

  it("fails on an exports target outside the package", async () => {
    const pkg = await discoverOne({
      dir: "escapes",
      manifest: {
        name: "escapes",
        exports: { "./agent": "../other/agent.mjs" },
        agentllm: { agent: "./agent" },
      },
    });
    expect(invalidError(pkg).message).toMatch(
      /cannot resolve agentllm.agent.*Invalid "exports" target/,
    );
  });

  it("follows the conditions Node runs with: production picks the compiled file", async () => {
    const pkg = await discoverOne(dualPackage("dual", "@acme/dual", "{}"));
    const moduleUrl = pathToFileURL(path.join(import.meta.dirname, "discover-agent-packages.ts"));
    const script = `import { resolveAgentEntry } from ${JSON.stringify(moduleUrl.href)};
process.stdout.write(resolveAgentEntry(${JSON.stringify(pkg)}));`;
    const resolveIn = async (nodeArgs: string[], nodeOptions = ""): Promise<string> => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...nodeArgs, "--import", "tsx", "--input-type=module", "--eval", script],
        { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: nodeOptions } },
      );
      return stdout;
    };
    const [compiled, viaNodeOptions, source] = await Promise.all([
      resolveIn(["--conditions=production"]),
      resolveIn([], "--conditions=production"),
      resolveIn([]),
    ]);
    expect(compiled).toBe(path.join(pkg.packageDir, "dist", "agent.mjs"));
    expect(viaNodeOptions).toBe(compiled);
    expect(source).toBe(path.join(pkg.packageDir, "src", "agent.mjs"));
  });
});

describe("loadAgentPackage", () => {
  it("loads a plain-JS agent package's default export", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, agentPackage("@acme/helper", "@acme/helper", validAgentSource("helper")));
    const [pkg] = await discoverAgentPackages([modules]);
    if (!pkg) throw new Error("package not discovered");
    const agent = await loadAgentPackage(pkg);
    expect(agent.packageName).toBe("@acme/helper");
    expect(agent.definition.name).toBe("helper");
    expect(agent.definition.maxSteps).toBe(4);
    const tool = agent.definition.toolkits[0]?.tools.get_thing;
    expect(tool?.parameters).toBeInstanceOf(z.ZodType);
    expect(tool?.parameters.safeParse({ id: "x" }).success).toBe(true);
    expect(tool?.parameters.safeParse({ id: 1 }).success).toBe(false);
  });

  it("loads the agent an exports subpath names", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(
      modules,
      dualPackage(
        "dual",
        "dual",
        `{ name: "dual", description: "%FORM%", instructions: "i", toolkits: [] }`,
      ),
    );
    const [pkg] = await discoverAgentPackages([modules]);
    if (!pkg) throw new Error("package not discovered");
    const agent = await loadAgentPackage(pkg);
    expect(agent.definition.description).toBe("source");
  });

  it("adds the knowledge toolkit for an agent that declares knowledge, with its folder", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(
      modules,
      agentPackage(
        "knows",
        "knows",
        `{ name: "knows", description: "", instructions: "i", toolkits: [], knowledge: { folder: "docs" } }`,
      ),
    );
    const [pkg] = await discoverAgentPackages([modules]);
    if (!pkg) throw new Error("package not discovered");
    const asked: string[] = [];
    const knowledge = (agent: string, folder: string) => {
      asked.push(`${agent} ${folder}`);
      return { name: "knowledge", tools: {} };
    };
    await expect(loadAgentPackage(pkg, { knowledge })).rejects.toThrow(
      /knowledge folder .*docs is not a directory/,
    );
    fs.mkdirSync(path.join(pkg.packageDir, "docs"));
    const agent = await loadAgentPackage(pkg, { knowledge });
    expect(asked).toEqual([`knows ${path.join(pkg.packageDir, "docs")}`]);
    expect(agent.definition.toolkits.map((toolkit) => toolkit.name)).toEqual(["knowledge"]);
  });

  it("accepts instructions given as a function and an agent without toolkits", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(
      modules,
      agentPackage(
        "fn-agent",
        "fn-agent",
        `{ name: "fn-agent", description: "", instructions: () => "dynamic", toolkits: [] }`,
      ),
    );
    const [pkg] = await discoverAgentPackages([modules]);
    if (!pkg) throw new Error("package not discovered");
    const agent = await loadAgentPackage(pkg);
    expect(typeof agent.definition.instructions).toBe("function");
  });

  const invalid: Array<[label: string, source: string, expected: RegExp]> = [
    ["no default export", "undefined", /default export/],
    ["a string", `"demo"`, /default export/],
    ["an upper-case name", validAgentSource("Demo Agent"), /name must be lower-case/],
    ["a missing description", `{ name: "x", instructions: "i", toolkits: [] }`, /description/],
    [
      "a numeric instructions",
      `{ name: "x", description: "", instructions: 3, toolkits: [] }`,
      /instructions/,
    ],
    [
      "parameters that are not zod",
      `{ name: "x", description: "", instructions: "", toolkits: [{ name: "k", tools: { t: { description: "d", parameters: { type: "object" }, execute() {} } } }] }`,
      /toolkits\.0\.tools\.t\.parameters must be a zod schema/,
    ],
    [
      "a tool without execute",
      `{ name: "x", description: "", instructions: "", toolkits: [{ name: "k", tools: { t: { description: "d", parameters: z.object({}) } } }] }`,
      /toolkits\.0\.tools\.t\.execute/,
    ],
    [
      "maxSteps above 100",
      `{ name: "x", description: "", instructions: "", toolkits: [], maxSteps: 101 }`,
      /maxSteps/,
    ],
    [
      "a credential of an unknown kind",
      `{ name: "x", description: "", instructions: "", toolkits: [{ name: "k", tools: {}, credential: { kind: "password", title: "K" } }] }`,
      /toolkits\.0\.credential\.kind/,
    ],
  ];

  it.each(invalid)(
    "rejects %s with InvalidAgentPackageError naming the package dir",
    async (_label, source, expected) => {
      const modules = path.join(root, "node_modules");
      const packageDir = writePackage(modules, agentPackage("broken", "broken", source));
      const [pkg] = await discoverAgentPackages([modules]);
      if (!pkg) throw new Error("package not discovered");
      const error = await loadAgentPackage(pkg).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InvalidAgentPackageError);
      const invalidError = error as InvalidAgentPackageError;
      expect(invalidError.name).toBe("InvalidAgentPackageError");
      expect(invalidError.packageDir).toBe(packageDir);
      expect(invalidError.message).toContain(packageDir);
      expect(invalidError.message).toContain("default export is not an agent");
      expect(invalidError.message).toMatch(expected);
    },
  );

  it("reports an entry that cannot be imported, naming the package dir and the entry", async () => {
    const modules = path.join(root, "node_modules");
    const packageDir = writePackage(modules, {
      dir: "missing-entry",
      manifest: { name: "missing-entry", agentllm: { agent: "./nope.mjs" } },
    });
    const [pkg] = await discoverAgentPackages([modules]);
    if (!pkg) throw new Error("package not discovered");
    const error = await loadAgentPackage(pkg).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidAgentPackageError);
    expect((error as Error).message).toContain(packageDir);
    expect((error as Error).message).toContain(
      `cannot import ${path.join(packageDir, "nope.mjs")}`,
    );
  });

  it("reports an entry that throws while loading", async () => {
    const modules = path.join(root, "node_modules");
    const packageDir = writePackage(modules, {
      dir: "throws",
      manifest: { name: "throws", agentllm: { agent: "./agent.mjs" } },
      files: { "agent.mjs": `throw new Error("kaboom at import");\nexport default {};\n` },
    });
    const [pkg] = await discoverAgentPackages([modules]);
    if (!pkg) throw new Error("package not discovered");
    await expect(loadAgentPackage(pkg)).rejects.toThrow(InvalidAgentPackageError);
    await expect(loadAgentPackage(pkg)).rejects.toThrow(packageDir);
  });
});

describe("AgentRegistry", () => {
  it("resolves an agent with and without the agno/ prefix", () => {
    const demo = registered("demo-agent");
    const registry = new AgentRegistry([demo, registered("other")]);
    expect(MODEL_PREFIX).toBe("agno/");
    expect(registry.resolve("agno/demo-agent")).toBe(demo);
    expect(registry.resolve("demo-agent")).toBe(demo);
  });

  it("throws UnknownAgentError listing the available agents", () => {
    const registry = new AgentRegistry([registered("zeta"), registered("alpha")]);
    let caught: unknown;
    try {
      registry.resolve("agno/missing");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownAgentError);
    const error = caught as UnknownAgentError;
    expect(error.requested).toBe("agno/missing");
    expect(error.available).toEqual(["alpha", "zeta"]);
    expect(error.message).toContain("'agno/missing'");
    expect(error.message).toContain("agno/alpha, agno/zeta");
  });

  it("does not resolve a name under another prefix or with different case", () => {
    const registry = new AgentRegistry([registered("demo-agent")]);
    expect(() => registry.resolve("openai/demo-agent")).toThrow(UnknownAgentError);
    expect(() => registry.resolve("agno/Demo-Agent")).toThrow(UnknownAgentError);
    expect(() => registry.resolve("agno/")).toThrow(UnknownAgentError);
  });

  it("says 'none' when there are no agents", () => {
    expect(() => new AgentRegistry([]).resolve("x")).toThrow(/Available agents: none\./);
  });

  it("lists names and agents sorted by name", () => {
    const b = registered("b-agent");
    const a = registered("a-agent");
    const registry = new AgentRegistry([b, a]);
    expect(registry.names()).toEqual(["a-agent", "b-agent"]);
    expect(registry.list()).toEqual([a, b]);
  });

  it("throws when two packages define the same agent name, naming both packages", () => {
    expect(
      () => new AgentRegistry([registered("same", "@one/pkg"), registered("same", "@two/pkg")]),
    ).toThrow("two packages define the agent 'same': @one/pkg and @two/pkg");
  });
});

describe("tools checked at load", () => {
  /** An agent whose toolkits are the JS expression `toolkits`. */
  function agentWithToolkits(toolkits: string): string {
    return `{ name: "checked", description: "", instructions: "i", toolkits: ${toolkits} }`;
  }
  const kit = (name: string, tools: string) => `{ name: ${JSON.stringify(name)}, tools: ${tools} }`;
  const toolWith = (parameters: string, extra = "") =>
    `{ description: "d", parameters: ${parameters}, execute: () => ({})${extra} }`;

  let packages = 0;
  async function loadError(toolkits: string): Promise<InvalidAgentPackageError> {
    // A fresh folder each time: ESM caches a module by its URL.
    const modules = path.join(root, `modules-${++packages}`);
    const dir = writePackage(
      modules,
      agentPackage("checked", "checked", agentWithToolkits(toolkits)),
    );
    const error = await loadAgentRegistry([modules]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidAgentPackageError);
    expect((error as InvalidAgentPackageError).packageDir).toBe(dir);
    return error as InvalidAgentPackageError;
  }

  it("builds the Gemini toolset when the agent loads", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, agentPackage("agent-a", "agent-a", validAgentSource("alpha")));
    const agent = (await loadAgentRegistry([modules])).resolve("alpha");
    expect([...agent.toolset.byName.keys()]).toEqual(["get_thing"]);
    expect(agent.toolset.tools[0]?.functionDeclarations?.[0]?.parametersJsonSchema).toEqual({
      type: "object",
      properties: { id: { type: "string" } },
      required: ["id"],
    });
  });

  it("gives tools the default result cap unless they set their own", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(
      modules,
      agentPackage(
        "checked",
        "checked",
        agentWithToolkits(
          `[${kit("k", `{ plain: ${toolWith("z.object({})")}, own: ${toolWith("z.object({})", ", maxResultBytes: 2048")} }`)}]`,
        ),
      ),
    );
    const agent = (await loadAgentRegistry([modules], { maxToolResultBytes: 5000 })).resolve(
      "checked",
    );
    expect(agent.toolset.byName.get("plain")?.maxResultBytes).toBe(5000);
    expect(agent.toolset.byName.get("own")?.maxResultBytes).toBe(2048);
    const byDefault = await loadAgentRegistry([modules]);
    expect(byDefault.resolve("checked").toolset.byName.get("plain")?.maxResultBytes).toBe(
      64 * 1024,
    );
  });

  it("refuses the same tool name in two toolkits, naming agent, tool and toolkits", async () => {
    const error = await loadError(
      `[${kit("one", `{ dup: ${toolWith("z.object({})")} }`)}, ${kit("two", `{ dup: ${toolWith("z.object({})")} }`)}]`,
    );
    expect(error.message).toContain(
      "agent 'checked': tool 'dup' is defined by both toolkit 'one' and 'two'",
    );
  });

  it("refuses two toolkits of one name (they would share user settings)", async () => {
    const error = await loadError(`[${kit("same", "{}")}, ${kit("same", "{}")}]`);
    expect(error.message).toContain("agent 'checked': two toolkits are named 'same'");
  });

  const unrepresentable: Array<[label: string, parameters: string, reason: RegExp]> = [
    ["z.date()", "z.object({ when: z.date() })", /Date cannot be represented/],
    ["z.bigint()", "z.object({ n: z.bigint() })", /BigInt cannot be represented/],
    ["z.map()", "z.object({ m: z.map(z.string(), z.string()) })", /Map cannot be represented/],
    ["z.set()", "z.object({ s: z.set(z.string()) })", /Set cannot be represented/],
    ["a bare z.transform()", "z.object({ t: z.transform((v) => v) })", /Transforms cannot/],
    ["z.custom()", "z.object({ c: z.custom(() => true) })", /Custom types cannot/],
    ["z.symbol()", "z.object({ s: z.symbol() })", /Symbols cannot/],
    ["z.undefined()", "z.object({ u: z.undefined() })", /Undefined cannot/],
  ];
  it.each(unrepresentable)(
    "refuses %s in parameters, naming the tool",
    async (_l, params, reason) => {
      const error = await loadError(`[${kit("k", `{ bad_tool: ${toolWith(params)} }`)}]`);
      expect(error.message).toContain(
        "agent 'checked': tool 'bad_tool' of toolkit 'k': its parameters cannot be sent to Gemini as JSON Schema",
      );
      expect(error.message).toMatch(reason);
    },
  );

  const notAnObject: Array<[label: string, parameters: string]> = [
    ["a string", "z.string()"],
    ["an array", "z.array(z.string())"],
    ["a union of objects", "z.union([z.object({ a: z.string() }), z.object({ b: z.string() })])"],
    ["a nullable object", "z.object({ a: z.string() }).nullable()"],
  ];
  it.each(notAnObject)("refuses %s as the top level of parameters", async (_label, params) => {
    const error = await loadError(`[${kit("k", `{ top: ${toolWith(params)} }`)}]`);
    expect(error.message).toContain(
      "agent 'checked': tool 'top' of toolkit 'k': parameters must be a z.object",
    );
  });

  it("refuses a parameter name Gemini does not accept", async () => {
    const error = await loadError(
      `[${kit("k", `{ t: ${toolWith(`z.object({ "due-date": z.string() })`)} }`)}]`,
    );
    expect(error.message).toContain("tool 't' of toolkit 'k': parameter 'due-date' must be named");
  });

  it("refuses a tool name Gemini does not accept, and one that is too long", async () => {
    expect(
      (await loadError(`[${kit("k", `{ "9lives": ${toolWith("z.object({})")} }`)}]`)).message,
    ).toMatch(/agent 'checked': tool '9lives' of toolkit 'k': the name must be/);
    const long = "a".repeat(65);
    expect(
      (await loadError(`[${kit("k", `{ ${long}: ${toolWith("z.object({})")} }`)}]`)).message,
    ).toContain(`tool '${long}' of toolkit 'k': the name must be 1 to 64`);
  });

  it("refuses a maxResultBytes below 1024, above 64 MiB or not a whole number", async () => {
    for (const value of ["512", "1500.5", "-1", "2 ** 27"]) {
      const error = await loadError(
        `[${kit("k", `{ t: ${toolWith("z.object({})", `, maxResultBytes: ${value}`)} }`)}]`,
      );
      expect(error.message).toContain("maxResultBytes");
    }
  });

  it("refuses a status that is neither a phrase nor a function of the arguments", async () => {
    for (const value of ["42", "{ text: 'Reading…' }", "null"]) {
      const error = await loadError(
        `[${kit("k", `{ t: ${toolWith("z.object({})", `, status: ${value}`)} }`)}]`,
      );
      expect(error.message).toContain("status");
    }
  });

  it("accepts what Gemini can take: transforms of JSON types, enums, nesting, formats", async () => {
    const modules = path.join(root, "node_modules");
    const params = `z.object({
      when: z.iso.date().transform((s) => new Date(s)),
      kind: z.enum(["a", "b"]),
      nested: z.object({ tags: z.array(z.string()).max(3), score: z.number().min(0).max(1) }),
      email: z.email().optional(),
      count: z.number().int().default(2),
    })`;
    writePackage(
      modules,
      agentPackage(
        "checked",
        "checked",
        agentWithToolkits(`[${kit("k", `{ ok: ${toolWith(params)} }`)}]`),
      ),
    );
    const agent = (await loadAgentRegistry([modules])).resolve("checked");
    expect(agent.toolset.byName.has("ok")).toBe(true);
  });
});

describe("loadAgentRegistry", () => {
  it("discovers and loads agent packages from several folders", async () => {
    const modules = path.join(root, "node_modules");
    const plugins = path.join(root, "plugins");
    writePackage(modules, agentPackage("agent-a", "agent-a", validAgentSource("alpha")));
    writePackage(modules, agentPackage("@acme/agent-b", "@acme/agent-b", validAgentSource("beta")));
    writePackage(plugins, agentPackage("agent-c", "agent-c", validAgentSource("gamma")));
    writePackage(modules, { dir: "not-an-agent", manifest: { name: "not-an-agent" } });
    const registry = await loadAgentRegistry([modules, plugins]);
    expect(registry.names()).toEqual(["alpha", "beta", "gamma"]);
    expect(registry.resolve("agno/beta").packageName).toBe("@acme/agent-b");
    expect(registry.resolve("gamma").packageName).toBe("agent-c");
  });

  it("loads only the first of two same-named packages", async () => {
    const near = path.join(root, "near");
    const far = path.join(root, "far");
    writePackage(near, agentPackage("pkg", "pkg", validAgentSource("near-agent")));
    writePackage(far, agentPackage("pkg", "pkg", validAgentSource("far-agent")));
    const registry = await loadAgentRegistry([near, far]);
    expect(registry.names()).toEqual(["near-agent"]);
  });

  it("fails when two packages define the same agent name", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, agentPackage("pkg-one", "pkg-one", validAgentSource("twin")));
    writePackage(modules, agentPackage("pkg-two", "pkg-two", validAgentSource("twin")));
    await expect(loadAgentRegistry([modules])).rejects.toThrow(
      /two packages define the agent 'twin': pkg-(one|two) and pkg-(one|two)/,
    );
  });

  it("fails naming the package dir when one package is invalid", async () => {
    const modules = path.join(root, "node_modules");
    writePackage(modules, agentPackage("good", "good", validAgentSource("good")));
    const badDir = writePackage(modules, agentPackage("bad", "bad", `{ name: "bad" }`));
    const error = await loadAgentRegistry([modules]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidAgentPackageError);
    expect((error as InvalidAgentPackageError).packageDir).toBe(badDir);
  });

  it("yields an empty registry when nothing is found", async () => {
    const registry = await loadAgentRegistry([path.join(root, "node_modules")]);
    expect(registry.names()).toEqual([]);
  });
});

describe("discovery over this repository", () => {
  it("finds demo-agent from @agentllm/agent-demo", async () => {
    const packages = await discoverAgentPackages(nodeModulesAbove(REPO_ROOT));
    const demo = packages.find((pkg) => pkg.packageName === "@agentllm/agent-demo");
    expect(demo).toBeDefined();
    if (!demo) throw new Error("agent-demo not discovered");
    expect(demo.packageDir).toBe(path.join(REPO_ROOT, "node_modules", "@agentllm", "agent-demo"));
    expect(demo.agent).toBe("./agent");
    // No conditions here (tests run the sources): the exports' default target, the TypeScript.
    expect(fs.realpathSync(resolveAgentEntry(demo))).toBe(
      path.join(REPO_ROOT, "packages", "agent-demo", "src", "agent.ts"),
    );

    const registry = await loadAgentRegistry(nodeModulesAbove(REPO_ROOT));
    const agent = registry.resolve("agno/demo-agent");
    expect(agent.packageName).toBe("@agentllm/agent-demo");
    expect(agent.definition.name).toBe("demo-agent");
    expect(registry.resolve("demo-agent")).toBe(agent);
  });
});
