// `npx just secrets [--add-missing]`: .env.secrets from .env.secrets.template with fresh random
// keys, readable by its owner only. An existing file is never overwritten; --add-missing only
// fills generated variables it lacks (after an upgrade added one). Also links .env to it: compose
// reads .env to fill compose.yaml's ${...}, so a plain `podman compose up` finds the keys.
import { chmod, lstat, open, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  addMissing,
  assignedValues,
  fillTemplate,
  missingGenerated,
} from "./secrets/secrets-file.ts";

const USAGE = `usage: npx just secrets [--add-missing] [--template FILE] [--out FILE]
  --add-missing   the file exists: generate only the variables it lacks or leaves empty
  --template FILE default: .env.secrets.template
  --out FILE      default: .env.secrets`;

const OWNER_ONLY = 0o600;

async function main(): Promise<number> {
  let values: { "add-missing"?: boolean; template?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        "add-missing": { type: "boolean" },
        template: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    process.stderr.write(`secrets: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const templatePath = values.template ?? ".env.secrets.template";
  const out = values.out ?? ".env.secrets";
  const shown = path.relative(process.cwd(), path.resolve(out)) || out;

  const existing = await readFile(out, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (existing !== undefined) {
    const code = await keepExisting(existing, out, shown, values["add-missing"] ?? false);
    await linkForCompose(out);
    return code;
  }

  const { text, generated } = fillTemplate(await readFile(templatePath, "utf8"));
  // "wx": create or fail, so a file that appeared since the read above is not overwritten either.
  const file = await open(out, "wx", OWNER_ONLY);
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
  await chmod(out, OWNER_ONLY); // whatever the umask did
  process.stdout.write(`secrets: wrote ${shown} (mode 600) with fresh ${generated.join(", ")}\n`);
  await linkForCompose(out);
  if (!assignedValues(text).get("GEMINI_API_KEY")) {
    process.stdout.write(`secrets: now put your Gemini key in ${shown}: GEMINI_API_KEY=...\n`);
  }
  return 0;
}

async function keepExisting(
  existing: string,
  out: string,
  shown: string,
  add: boolean,
): Promise<number> {
  const missing = missingGenerated(existing);
  if (missing.length === 0) {
    process.stdout.write(`secrets: ${shown} exists and has every generated key; left as it is\n`);
    return 0;
  }
  if (!add) {
    process.stdout.write(
      `secrets: ${shown} exists; left as it is. It lacks ${missing.join(", ")}: ` +
        "`npx just secrets --add-missing` generates only those\n",
    );
    return 0;
  }
  const { text, added } = addMissing(existing);
  await writeFile(out, text, { mode: OWNER_ONLY });
  await chmod(out, OWNER_ONLY);
  process.stdout.write(`secrets: added ${added.join(", ")} to ${shown}; nothing else changed\n`);
  return 0;
}

/** `.env` → the secrets file, beside it; a `.env` that is something else is left alone. */
async function linkForCompose(out: string): Promise<void> {
  const link = path.join(path.dirname(out), ".env");
  const target = path.basename(out);
  const stat = await lstat(link).catch(() => undefined);
  if (!stat) {
    await symlink(target, link);
    process.stdout.write(`secrets: linked .env to ${target}, which compose reads\n`);
  } else if (!stat.isSymbolicLink() || (await readlink(link)) !== target) {
    process.stdout.write(
      `secrets: .env exists and is not a link to ${target}; compose reads .env, so start it with ` +
        `\`--env-file ${target}\` (the \`just dev\` recipes do)\n`,
    );
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`secrets: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
