// `npx just new-agent NAME [--dir FOLDER] [--config FILE] [--no-install]`: a working agent
// package agent-NAME (manifest, instructions, a toolkit with one example tool, a test), linked
// into the workspace and listed in the proxy config. See docs/creating-agents.md.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadAgentRegistry } from "@agentllm/runtime";
import {
  addBuildReference,
  checkAgentName,
  NewAgentError,
  scaffoldAgent,
} from "./new-agent/scaffold.ts";
import { agentSearchDirs, repoRoot, syncModels } from "./sync-models/sync-models.ts";

const USAGE = `usage: npx just new-agent NAME [--dir FOLDER] [--config FILE] [--no-install]
  NAME          lower-case words joined by dashes: the model agno/NAME, the folder agent-NAME
  --dir FOLDER  create FOLDER/agent-NAME (default: packages/, a workspace of this repository)
  --config FILE the LiteLLM config whose agent entries to update (default: proxy_config.yaml)
  --no-install  skip \`npm install\` (which links a package under packages/ into the workspace)`;

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`new-agent: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) {
    process.stderr.write(`new-agent: give exactly one agent name\n${USAGE}\n`);
    return 2;
  }
  checkAgentName(name);
  const workspace = path.join(repoRoot, "packages");
  const parentDir = path.resolve(values.dir ?? workspace);
  const outside = parentDir !== path.resolve(workspace);
  const agentDirs = outside ? [parentDir] : [];

  const existing = await loadAgentRegistry(agentSearchDirs(agentDirs));
  if (existing.names().includes(name)) {
    throw new NewAgentError(
      `an agent named '${name}' already exists (package ${existing.resolve(name).packageName}): pick another name`,
    );
  }

  const packageDir = scaffoldAgent({ name, parentDir, repoRoot });
  const shown = path.relative(process.cwd(), packageDir) || packageDir;
  process.stdout.write(`new-agent: created ${shown}\n`);

  if (!outside) {
    if (!addBuildReference(repoRoot, packageDir)) {
      process.stdout.write(
        `new-agent: add { "path": "${path.relative(repoRoot, packageDir)}/tsconfig.build.json" } to tsconfig.build.json's references for \`npx just build\`\n`,
      );
    }
    if (!values["no-install"]) {
      process.stdout.write("new-agent: npm install (links the package into the workspace)\n");
      const install = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
        cwd: repoRoot,
        stdio: "inherit",
      });
      if (install.status !== 0) {
        throw new NewAgentError(
          `npm install failed (exit ${install.status}); ${shown} is in place: run \`npm install\` and \`npx just sync-models\` once it works`,
        );
      }
    }
  }

  const synced = await syncModels({
    ...(values.config ? { config: values.config } : {}),
    dirs: agentDirs,
  });
  const config = path.relative(process.cwd(), synced.config) || synced.config;
  process.stdout.write(`new-agent: ${config} now lists ${synced.models.join(", ")}\n`);
  process.stdout.write(
    [
      "",
      "Next:",
      `  edit      ${shown}/src/tools/write-greeting.ts (and instructions.ts)`,
      `  test      npx vitest run ${shown}`,
      "  run       npx just demo            (restart it if it was running)",
      `  ask       npx just hello "Please write a greeting for Ada" false agno/${name}`,
      "",
    ].join("\n"),
  );
  return 0;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: "string" },
      config: { type: "string" },
      "no-install": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`new-agent: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
