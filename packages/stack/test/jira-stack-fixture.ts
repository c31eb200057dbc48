import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type FakeJira, type FakeJiraUser, seedUsers, startFakeJira } from "@agentllm/testkit";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

/** The fixture agent with the Jira toolkit (`fixtures/agents/agent-jira-test`). */
export const JIRA_MODEL = "agno/jira-test";
export const JIRA_AGENT_DIRS = [fileURLToPath(new URL("./fixtures/agents", import.meta.url))];

export interface JiraStackFixture extends StackFixture {
  /** A Jira Server (Bearer personal access tokens) knowing `users`. */
  readonly jira: FakeJira;
  /** The fake's seed users with tokens made for this run: secrets no code or log can know. */
  readonly users: readonly [FakeJiraUser, FakeJiraUser];
  /** Every line the runtime and LiteLLM printed, restarts included. */
  output(): string;
}

/**
 * The whole stack (fake Gemini, the runtime with its encrypted vault and connect pages, the real
 * LiteLLM proxy) serving the Jira fixture agent besides the repository's agents, and a fake Jira.
 * The runtime logs at debug, so a secret that reaches any log line shows in `output()`.
 */
export async function startJiraStackFixture(
  options: {
    env?: Readonly<Record<string, string>>;
    logLevel?: string;
    /** Models besides the fixture's to add to the proxy config (agents not yet in it). */
    extraModels?: readonly string[];
  } = {},
): Promise<JiraStackFixture> {
  const users = seedUsers.slice(0, 2).map((user) => ({
    ...user,
    token: `planted-jira-pat-${randomBytes(18).toString("hex")}`,
  })) as unknown as [FakeJiraUser, FakeJiraUser];
  const jira = await startFakeJira({ flavour: "server", users });
  const lines: string[] = [];
  let fixture: StackFixture;
  try {
    fixture = await startStackFixture({
      env: options.env,
      agents: { dirs: JIRA_AGENT_DIRS, models: [JIRA_MODEL, ...(options.extraModels ?? [])] },
      logLevel: options.logLevel ?? "debug",
      onLine: (service, line) => void lines.push(`[${service}] ${line}`),
    });
  } catch (error) {
    await jira.close();
    throw error;
  }
  return {
    ...fixture,
    jira,
    users,
    output: () => lines.join("\n"),
    async close() {
      await fixture.close();
      await jira.close();
    },
  };
}
