import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type ToolCredential,
} from "@agentllm/sdk";
import { type FakeJira, seedUsers, startFakeJira } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJiraReadOnlyToolkit, createJiraToolkit } from "./jira-toolkit.ts";
import { MAX_ISSUE_COMMENTS } from "./tools/format-issue.ts";

const dana = seedUsers[0] as (typeof seedUsers)[number];
const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A credential view over fixed values that records rejections, as the runtime's would act. */
function credentialOf(values: Record<string, string> | undefined) {
  const rejections: string[] = [];
  const credential: ToolCredential = {
    connected: async () => values !== undefined,
    get: async () => {
      if (!values) throw new CredentialRequiredError("jira");
      return values;
    },
    rejected: async (reason) => {
      rejections.push(reason);
      throw new CredentialRequiredError("jira", reason);
    },
  };
  return { credential, rejections };
}

function contextWith(
  credential: ToolCredential,
  signal = new AbortController().signal,
): ToolContext {
  return {
    userId: "alice",
    sessionId: undefined,
    signal,
    logger: quiet,
    settings: { get: async () => undefined, set: async () => {}, delete: async () => {} },
    credential,
  };
}

for (const flavour of ["server", "cloud"] as const) {
  describe(`toolkit-jira against the fake Jira (${flavour})`, () => {
    let jira: FakeJira;
    beforeAll(async () => {
      jira = await startFakeJira({ flavour });
    });
    afterAll(() => jira.close());

    const values = (token = dana.token) => ({
      serverUrl: jira.url,
      token,
      email: flavour === "cloud" ? dana.emailAddress : "",
    });
    const toolkit = () => createJiraToolkit({ defaultBaseUrl: () => undefined, timeoutMs: 2_000 });
    const getIssue = async (
      key: string,
      credentialValues: Record<string, string> | null = values(),
    ) => {
      // null: the user has not connected.
      const { credential, rejections } = credentialOf(credentialValues ?? undefined);
      const tool = toolkit().tools.get_issue;
      const args = tool.parameters.parse({ issue_key: key });
      const result = await Promise.resolve(tool.execute(args, contextWith(credential))).then(
        (value) => ({ value, error: undefined }),
        (error: unknown) => ({ value: undefined, error: error as Error }),
      );
      return { ...result, rejections, request: jira.requests.at(-1) };
    };

    it("reads an issue as compact text with its link, description and comments", async () => {
      const { value, request } = await getIssue("demo-1");
      expect(request?.path).toBe(`/rest/api/${flavour === "cloud" ? "3" : "2"}/issue/DEMO-1`);
      expect(request?.auth).toEqual({
        scheme: flavour === "cloud" ? "Basic" : "Bearer",
        userId: dana.id,
      });
      expect(request?.query.fields).toContain("comment");
      const text = value as string;
      expect(text).toContain("DEMO-1: Export to CSV drops rows with non-ASCII names");
      expect(text).toContain(`Link: ${jira.url}/browse/DEMO-1`);
      expect(text).toContain("Type: Bug | Status: In Progress | Priority: High");
      expect(text).toContain("Assignee: Dana Reyes | Reporter: Sam Okafor");
      expect(text).toContain("Created: 2026-11-02 09:15 UTC");
      // v3's ADF and v2's wiki markup both come out as readable text.
      expect(text).toContain(
        flavour === "cloud" ? "- Export the list to CSV" : "* Export the list to CSV",
      );
      expect(text).toContain("Sam Okafor, 2026-11-03 10:00 UTC: Seen on 4.2 and 4.3.");
      expect(text).not.toContain(dana.token);
    });

    it(`shows the last ${MAX_ISSUE_COMMENTS} comments of a longer discussion`, async () => {
      const { value } = await getIssue("DEMO-2");
      expect(value).toContain(`Comments (the last ${MAX_ISSUE_COMMENTS} of 8, oldest first):`);
      expect(value).toContain("Design note 8.");
      expect(value).not.toContain("Design note 3.");
      expect(value).toContain("Assignee: unassigned");
    });

    it("hands a refused token to credential.rejected (401)", async () => {
      const { error, rejections } = await getIssue("DEMO-1", values("revoked-token-1234"));
      expect(error).toBeInstanceOf(CredentialRequiredError);
      expect(rejections).toEqual(["Jira no longer accepts the saved token (401)"]);
    });

    it("asks to connect when the user has not (get throws CredentialRequiredError)", async () => {
      const { error } = await getIssue("DEMO-1", null);
      expect(error).toBeInstanceOf(CredentialRequiredError);
    });

    it("turns 403, 404, 429 and 5xx into clear tool errors", async () => {
      expect((await getIssue("DEMO-3")).error?.message).toBe(
        "Jira refused access to DEMO-3 (403): the user's account may not see this project.",
      );
      expect((await getIssue("NOPE-1")).error?.message).toBe(
        "Issue NOPE-1 does not exist, or the user's account cannot see it (404).",
      );
      jira.failNext({ status: 429, retryAfterSeconds: 30 });
      expect((await getIssue("DEMO-1")).error?.message).toContain("retry after 30 seconds");
      jira.failNext({ status: 503 });
      expect((await getIssue("DEMO-1")).error?.message).toContain("Jira answered 503 for DEMO-1");
    });

    it("gives up on a Jira that does not answer, with a clear error", async () => {
      jira.failNext({ hang: true });
      const tool = createJiraToolkit({ defaultBaseUrl: () => undefined, timeoutMs: 200 }).tools
        .get_issue;
      const { credential } = credentialOf(values());
      await expect(
        Promise.resolve(tool.execute({ issue_key: "DEMO-1" }, contextWith(credential))),
      ).rejects.toThrow(`Jira at ${jira.url} did not answer within 0.2 s`);
    });

    it("validates a credential against /myself before it is saved", async () => {
      const { credential } = toolkit();
      const signal = new AbortController().signal;
      expect(await credential.validate?.(values(), { signal })).toEqual({
        ok: true,
        metadata: { serverUrl: jira.url, flavour, account: "Dana Reyes" },
      });
      const wrong = await credential.validate?.(values("wrong-token-123"), { signal });
      expect(wrong).toMatchObject({ ok: false });
      expect(wrong?.ok === false && wrong.message).toMatch(/did not accept this/);
    });

    it("checks a credential through the runtime's fetch when it is given one (so it is traced)", async () => {
      const { credential } = toolkit();
      const seen: string[] = [];
      const runtimeFetch = (input: string, init: RequestInit) => {
        seen.push(new URL(input).pathname);
        return fetch(input, init);
      };
      const signal = new AbortController().signal;
      expect(await credential.validate?.(values(), { signal, fetch: runtimeFetch })).toMatchObject({
        ok: true,
      });
      expect(seen).toEqual([`/rest/api/${flavour === "cloud" ? 3 : 2}/myself`]);
    });
  });
}

describe("toolkit-jira's setup checks", () => {
  const signal = new AbortController().signal;

  it("uses JIRA_BASE_URL's value when the user gave no server, and says when there is neither", async () => {
    const jira = await startFakeJira({ flavour: "server" });
    try {
      const { credential } = createJiraToolkit({ defaultBaseUrl: () => jira.url });
      expect(
        await credential.validate?.({ serverUrl: "", email: "", token: dana.token }, { signal }),
      ).toMatchObject({ ok: true });
      const none = createJiraToolkit({ defaultBaseUrl: () => undefined }).credential;
      const check = await none.validate?.(
        { serverUrl: "", email: "", token: dana.token },
        { signal },
      );
      expect(check?.ok === false && check.message).toContain("JIRA_BASE_URL");
    } finally {
      await jira.close();
    }
  });

  it("says when the server URL has no Jira (404) or cannot be reached", async () => {
    const jira = await startFakeJira({ flavour: "server" });
    const url = jira.url;
    const { credential } = createJiraToolkit({ defaultBaseUrl: () => undefined });
    try {
      const v3 = await credential.validate?.(
        { serverUrl: `${url}/not-jira`, email: "", token: dana.token },
        { signal },
      );
      expect(v3?.ok === false && v3.message).toContain("No Jira REST API at");
    } finally {
      await jira.close();
    }
    const gone = await credential.validate?.(
      { serverUrl: url, email: "", token: dana.token },
      { signal },
    );
    expect(gone?.ok === false && gone.message).toContain(`Could not reach Jira at ${url}`);
    const bad = await credential.validate?.(
      { serverUrl: "ftp://x", email: "", token: "t" },
      { signal },
    );
    expect(bad?.ok === false && bad.message).toContain("https://");
  });

  it("rejects an argument that is not an issue key before calling Jira", () => {
    const { parameters } = createJiraToolkit().tools.get_issue;
    expect(parameters.safeParse({ issue_key: "DEMO-1" }).success).toBe(true);
    for (const bad of ["", "DEMO", "DEMO-0", "../DEMO-1", "DEMO-1?x=1", `${"A".repeat(51)}-1`]) {
      expect(parameters.safeParse({ issue_key: bad }).success).toBe(false);
    }
  });
});

describe("the read-only Jira toolkit", () => {
  it("has every read tool and no write, under the same name and credential kind", () => {
    const full = createJiraToolkit();
    const readOnly = createJiraReadOnlyToolkit();
    expect(readOnly.name).toBe(full.name);
    expect(readOnly.credential.kind).toBe(full.credential.kind);
    const writes = Object.entries(full.tools)
      .filter(([, tool]) => "sideEffect" in tool && tool.sideEffect)
      .map(([name]) => name);
    expect(writes.sort()).toEqual(["add_comment", "create_issue", "update_issue"]);
    expect(Object.keys(readOnly.tools).sort()).toEqual(
      Object.keys(full.tools)
        .filter((name) => !writes.includes(name))
        .sort(),
    );
  });
});
