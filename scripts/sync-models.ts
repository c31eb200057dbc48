// `npx just sync-models [--check] [--config FILE] [--dir FOLDER]…`: proxy_config.yaml's agent
// entries from the discovered agents. --check writes nothing and exits 1 when they drifted.
import path from "node:path";
import { parseArgs } from "node:util";
import { syncModels } from "./sync-models/sync-models.ts";

const USAGE = `usage: npx just sync-models [--check] [--config FILE] [--dir FOLDER]...
  --check        write nothing; exit 1 if the agent entries are out of date
  --config FILE  the LiteLLM config to update (default: proxy_config.yaml)
  --dir FOLDER   also look for agent packages in FOLDER (as AGENTLLM_AGENT_DIRS)`;

async function main(): Promise<number> {
  let values: { check?: boolean; config?: string; dir?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        check: { type: "boolean" },
        config: { type: "string" },
        dir: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    process.stderr.write(`sync-models: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const result = await syncModels({
    ...(values.config ? { config: values.config } : {}),
    dirs: values.dir ?? [],
    check: values.check ?? false,
  });
  const file = path.relative(process.cwd(), result.config) || result.config;
  const changes = [
    ...result.added.map((model) => `+ ${model}`),
    ...result.removed.map((model) => `- ${model}`),
  ];
  if (!result.drifted) {
    process.stdout.write(`sync-models: ${file} lists every agent: ${result.models.join(", ")}\n`);
    return 0;
  }
  if (values.check) {
    process.stderr.write(
      `sync-models: ${file}'s agent entries are out of date${changes.length ? `:\n  ${changes.join("\n  ")}` : " (settings differ)"}\nRun \`npx just sync-models\` to regenerate them.\n`,
    );
    return 1;
  }
  process.stdout.write(
    `sync-models: updated ${file}${changes.length ? `:\n  ${changes.join("\n  ")}` : " (entry settings restored)"}\nRestart the proxy (\`npx just demo\` or \`npx just proxy\`) to serve the change.\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sync-models: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
