import type { PluginLogger } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { connectAnswer, PUBLIC_URL_VARIABLE } from "./connect-answer.ts";

const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const jira = { toolkit: "jira", title: "Jira", reason: "not connected" };

describe("connectAnswer", () => {
  it("names the service and gives the user's own link as a Markdown link", async () => {
    const asked: string[] = [];
    const answer = await connectAnswer([jira], {
      userId: "alice",
      logger: quiet,
      links: {
        linkFor: async (userId, toolkit) => {
          asked.push(`${userId}/${toolkit}`);
          return "https://agents.example/connect/jira?ticket=a(b) c";
        },
      },
    });
    expect(asked).toEqual(["alice/jira"]);
    expect(answer).toContain("your Jira account");
    expect(answer).toContain(
      "[Connect Jira](https://agents.example/connect/jira?ticket=a%28b%29%20c)",
    );
  });

  it("says why when the service refused the saved credential", async () => {
    const answer = await connectAnswer([{ ...jira, reason: "Jira refused the token (401)" }], {
      userId: "alice",
      logger: quiet,
      links: { linkFor: async () => "https://agents.example/c" },
    });
    expect(answer).toContain("Jira: Jira refused the token (401). I have forgotten");
  });

  it("tells an anonymous user the service needs a signed-in user, with no link", async () => {
    const answer = await connectAnswer([jira], {
      userId: undefined,
      logger: quiet,
      links: { linkFor: async () => "https://agents.example/c" },
    });
    expect(answer).toContain("Jira needs a signed-in user");
    expect(answer).not.toContain("](");
  });

  it("names the variable an operator sets when connecting is not enabled", async () => {
    const answer = await connectAnswer([jira], {
      userId: "alice",
      logger: quiet,
      links: undefined,
    });
    expect(answer).toContain(PUBLIC_URL_VARIABLE);
  });

  it("answers without a link, not a crash, when a link cannot be made", async () => {
    const answer = await connectAnswer([jira], {
      userId: "alice",
      logger: quiet,
      links: {
        linkFor: async () => {
          throw new Error("ticket store down");
        },
      },
    });
    expect(answer).toContain("could not make a connect link");
    expect(answer).not.toContain("ticket store down");
  });
});
