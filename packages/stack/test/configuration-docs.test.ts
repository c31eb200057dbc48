import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo-paths.ts";
import { variablesRead } from "./variables-read.ts";

// Every environment variable the code reads is documented (docs/configuration.md) and listed in
// the secrets template, so an operator never has to read source to configure the stack.

/** Read by CI and the tests' own tooling only; documented, not for the template. */
const NOT_FOR_THE_TEMPLATE = new Set(["AGENTLLM_E2E_REPORT", "AGENTLLM_OPEN_WEBUI"]);

describe("configuration documentation", () => {
  const read = [...variablesRead()].sort();
  const docs = readFileSync(path.join(repoRoot, "docs/configuration.md"), "utf8");
  const template = readFileSync(path.join(repoRoot, ".env.secrets.template"), "utf8");

  it("finds the variables the code reads", () => {
    expect(read).toEqual(
      expect.arrayContaining(["AGENTLLM_RUNTIME_TOKEN", "AGENTLLM_PROXY_MAX_BODY_BYTES"]),
    );
  });

  it("documents every one of them in docs/configuration.md", () => {
    expect(read.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });

  it("lists every one an operator sets in .env.secrets.template", () => {
    const missing = read.filter(
      (name) => !NOT_FOR_THE_TEMPLATE.has(name) && !new RegExp(`^#? ?${name}=`, "m").test(template),
    );
    expect(missing).toEqual([]);
  });
});
