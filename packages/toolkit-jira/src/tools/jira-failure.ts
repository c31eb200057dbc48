import type { ToolContext } from "@agentllm/sdk";
import { JiraHttpError } from "../jira-client.ts";

/**
 * Jira's error as the model should read it: 401 hands the token back to the user (connect
 * again), the rest become a tool error that says what to do. Others (timeouts, unreachable)
 * already carry a clear message and pass through.
 */
export async function jiraFailure(
  error: unknown,
  ctx: ToolContext,
  subject: string,
): Promise<never> {
  if (!(error instanceof JiraHttpError)) throw error;
  switch (error.status) {
    case 401:
      return ctx.credential.rejected("Jira no longer accepts the saved token (401)");
    case 400:
      throw new Error(
        `Jira did not accept ${subject} (400): ${error.messages.join(" ") || "no reason given"}. Fix the query and try again.`,
      );
    case 403:
      throw new Error(
        `Jira refused access to ${subject} (403): the user's account may not see it.`,
      );
    case 404:
      throw new Error(`${subject} does not exist, or the user's account cannot see it (404).`);
    case 429:
      throw new Error(
        `Jira is limiting requests (429); retry after ${error.retryAfterSeconds ?? "a few"} seconds, or tell the user to try again then.`,
      );
    default:
      throw new Error(
        `Jira answered ${error.status} for ${subject}; it may be unavailable, try again later.`,
      );
  }
}
