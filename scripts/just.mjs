#!/usr/bin/env node
// `npx just …` on a fresh clone: npx finds this root package's own `just` bin before any
// node_modules exist (the registry's package named `just` is unrelated and has no binary).
// Install the project's node modules once, then hand over to the real `just` (rust-just).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const just = path.join(
  root,
  "node_modules",
  ".bin",
  process.platform === "win32" ? "just.cmd" : "just",
);

if (!existsSync(just)) {
  process.stderr.write("just: first run, installing node modules…\n");
  // `npm install`, not `npm ci`: it follows package-lock.json just the same, but tolerates
  // optional platform packages (rust-just's binaries for other systems) a registry lacks.
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
  });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

// Ctrl-C reaches the whole foreground process group; let `just` handle it and exit after it.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
const result = spawnSync(just, process.argv.slice(2), { stdio: "inherit" });
process.exit(result.status ?? (result.signal ? 128 : 1));
