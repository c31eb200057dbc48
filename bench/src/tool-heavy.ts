import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type FakeJira, seedUsers, startFakeJira } from "@agentllm/testkit";
import type { ModelTimes } from "./fake-gemini-worker.ts";
import { JIRA_CALLS, promptTag } from "./fake-model.ts";
import { type RequestResult, streamChat } from "./load.ts";
import type { BenchPath } from "./paths.ts";
import { type Summary, summarize } from "./stats.ts";

/**
 * The tool-heavy row: the fake model asks for {@link JIRA_CALLS} Jira reads in one step, the
 * fake Jira answers each after {@link JIRA_DELAY_MS}. Run one after the other they would take
 * JIRA_CALLS × JIRA_DELAY_MS; the runtime runs a step's calls side by side, so the step should
 * take about one call's time.
 */
export const JIRA_DELAY_MS = 200;
export const JIRA_AGENT = "jira-bench";
/** The folder holding the bench's Jira agent (`AGENTLLM_AGENT_DIRS`). */
export const JIRA_AGENT_DIR = fileURLToPath(new URL("../agents", import.meta.url));

export interface ToolHeavyResult {
  readonly path: BenchPath["name"];
  readonly requests: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly calls: number;
  readonly jiraDelayMs: number;
  /** The fake model's function-call turn written → its next call received: the whole tool step. */
  readonly toolStepMs: Summary;
  readonly totalMs: Summary;
  /** Jira requests per bench request; {@link JIRA_CALLS} when every call reached Jira once. */
  readonly jiraRequestsEach: number;
}

export interface BenchJira {
  readonly jira: FakeJira;
  /** Stores the bench user's Jira token in the runtime's vault, as a user pasting it would. */
  connect(path: BenchPath): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Data Center personal access token in Jira's shape (base64 of `<id>:<random bytes>`), made
 * for this run: the runtime recognises it when pasted into the chat.
 */
function patToken(): string {
  return Buffer.concat([Buffer.from("904857362711:"), randomBytes(20)]).toString("base64");
}

export async function startBenchJira(): Promise<BenchJira> {
  const user = { ...(seedUsers[0] as (typeof seedUsers)[number]), token: patToken() };
  const jira = await startFakeJira({
    flavour: "server",
    users: [user],
    responseDelayMs: JIRA_DELAY_MS,
  });
  return {
    jira,
    async connect(path) {
      const result = await streamChat(
        path.target("jira-connect"),
        {
          model: `agno/${JIRA_AGENT}`,
          stream: true,
          messages: [
            { role: "user", content: `My Jira is ${jira.url} and my token is ${user.token}` },
          ],
        },
        "jira-connect",
      );
      if (!result.ok || !result.text.includes("stored it encrypted")) {
        throw new Error(
          `could not connect the bench user's Jira: ${result.error ?? result.text.slice(0, 200)}`,
        );
      }
    },
    close: () => jira.close(),
  };
}

/** `requests` tool-heavy requests on `path`, one at a time (the row measures a step, not load). */
export async function runToolHeavy(
  path: BenchPath,
  requests: number,
  jira: FakeJira,
  collect: () => Promise<{ emits: Record<string, ModelTimes> }>,
  onDone: () => void,
): Promise<ToolHeavyResult> {
  await collect(); // clear
  const before = jira.requests.length;
  const results: RequestResult[] = [];
  for (let i = 0; i < requests; i++) {
    const id = `${path.name}-jira-${i}`;
    results.push(
      await streamChat(
        path.target(id),
        {
          model: `agno/${JIRA_AGENT}`,
          stream: true,
          messages: [{ role: "user", content: `Read five issues. ${promptTag(id, "jira")}` }],
        },
        id,
      ),
    );
    onDone();
  }
  const { emits } = await collect();
  const ok = results.filter((r) => r.ok);
  const failed = results.filter((r) => !r.ok);
  return {
    path: path.name,
    requests,
    errors: failed.length,
    errorSamples: [...new Set(failed.map((r) => r.error ?? "?"))].slice(0, 3),
    calls: JIRA_CALLS,
    jiraDelayMs: JIRA_DELAY_MS,
    toolStepMs: summarize(ok.flatMap((r) => emits[r.id]?.betweenCallsMs.slice(0, 1) ?? [])),
    totalMs: summarize(ok.map((r) => r.totalMs)),
    jiraRequestsEach: (jira.requests.length - before) / Math.max(1, requests),
  };
}
