import type { ToolDefinition } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_MAX_TOOL_RESULT_BYTES } from "./bound-tool-result.ts";
import type { IndexedTool } from "./to-gemini-tools.ts";
import { defaultStatus, doneStatus, MAX_STATUS_CHARS, toolStatus } from "./tool-status.ts";

function indexed(status: ToolDefinition["status"]): IndexedTool {
  return {
    tool: {
      description: "Reads an issue.",
      parameters: z.object({ key: z.string().trim().min(1) }),
      execute: () => ({}),
      ...(status === undefined ? {} : { status }),
    },
    toolkit: { name: "kit", tools: {} },
    maxResultBytes: DEFAULT_MAX_TOOL_RESULT_BYTES,
  };
}

describe("toolStatus", () => {
  it("uses a fixed phrase as it is", () => {
    expect(toolStatus("get_issue", {}, indexed("Searching Jira…"))).toBe("Searching Jira…");
  });

  it("makes a phrase from the validated arguments", () => {
    const tool = indexed((args: { key: string }) => `Reading ${args.key}…`);
    expect(toolStatus("get_issue", { key: "  PROJ-1 " }, tool)).toBe("Reading PROJ-1…");
  });

  it("falls back to the name's phrase when the arguments fail the schema or the phrase throws", () => {
    const reading = indexed((args: { key: string }) => `Reading ${args.key}…`);
    expect(toolStatus("get_issue", { key: 42 }, reading)).toBe("Using the get issue tool…");
    const throwing = indexed(() => {
      throw new Error("boom");
    });
    expect(toolStatus("get_issue", { key: "A-1" }, throwing)).toBe("Using the get issue tool…");
    const blank = indexed(() => " \n ");
    expect(toolStatus("get_issue", { key: "A-1" }, blank)).toBe("Using the get issue tool…");
  });

  it("makes a phrase from the name when the tool declares none or is unknown", () => {
    expect(toolStatus("get_issue", {}, indexed(undefined))).toBe("Using the get issue tool…");
    expect(toolStatus("findFiles", {}, undefined)).toBe("Using the find files tool…");
    expect(defaultStatus("get__fix_versions")).toBe("Using the get fix versions tool…");
  });

  it("keeps a phrase of exactly the limit and cuts a longer one to it", () => {
    const exact = "a".repeat(MAX_STATUS_CHARS);
    expect(toolStatus("t", {}, indexed(exact))).toBe(exact);
    const cut = toolStatus("t", {}, indexed("b".repeat(MAX_STATUS_CHARS + 1)));
    expect([...cut]).toHaveLength(MAX_STATUS_CHARS);
    expect(cut.endsWith("…")).toBe(true);
  });

  it("makes one line of a phrase with line breaks and control characters", () => {
    expect(toolStatus("t", {}, indexed("Reading\n\tthe\u0007 file…"))).toBe("Reading the file…");
  });

  it("lets the scrubber remove a secret a phrase quotes", () => {
    const tool = indexed((args: { key: string }) => `Reading ${args.key}…`);
    const scrub = (text: string) => text.replaceAll("sekrit-token", "[redacted]");
    expect(toolStatus("get_issue", { key: "sekrit-token" }, tool, scrub)).toBe(
      "Reading [redacted]…",
    );
  });
});

describe("doneStatus", () => {
  const ok = { result: {}, isError: false };

  it("says how the call ended, after the running phrase without its ellipsis", () => {
    expect(doneStatus("Reading PROJ-1…", ok)).toBe("Reading PROJ-1 — done");
    expect(doneStatus("Reading PROJ-1…", { result: { error: "x" }, isError: true })).toBe(
      "Reading PROJ-1 — failed",
    );
    const missing = { toolkit: "jira", title: "Jira", reason: "not connected" };
    expect(doneStatus("Reading PROJ-1…", { ...ok, credentialRequired: missing })).toBe(
      "Reading PROJ-1 — Jira not connected",
    );
  });

  it("keeps a phrase at the limit within the limit, with its ending whole", () => {
    const long = `${"é".repeat(MAX_STATUS_CHARS - 1)}…`;
    const line = doneStatus(long, ok);
    expect([...line]).toHaveLength(MAX_STATUS_CHARS);
    expect(line.endsWith("… — done")).toBe(true);
  });

  it("stays within the limit when a toolkit's title alone is longer", () => {
    const missing = { toolkit: "kit", title: "T".repeat(MAX_STATUS_CHARS * 2), reason: "x" };
    const line = doneStatus("Reading PROJ-1…", {
      result: {},
      isError: true,
      credentialRequired: missing,
    });
    expect([...line]).toHaveLength(MAX_STATUS_CHARS);
    expect(line.endsWith("…")).toBe(true);
  });
});
