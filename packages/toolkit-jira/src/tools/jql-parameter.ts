import { z } from "@agentllm/sdk";
import { MAX_JQL_CHARS } from "../jira-search.ts";

export const jqlParameter = z
  .string()
  .trim()
  .min(1, "must be a JQL query such as: project = PROJ AND status != Done")
  .max(MAX_JQL_CHARS, `must be at most ${MAX_JQL_CHARS} characters`)
  .describe(
    'A JQL query, such as: project = PROJ AND fixVersion = "1.2" AND status != Done ORDER BY updated DESC',
  );

/** Jira's issue navigator for a query: where the user sees every match. */
export function searchLink(baseUrl: string, jql: string): string {
  return `${baseUrl}/issues/?jql=${encodeURIComponent(jql)}`;
}

/** "12 more not shown …" when the issues listed are fewer than the matches. */
export function moreNote(
  shown: number,
  total: number | undefined,
  approximate: boolean,
  link: string,
): string | undefined {
  if (total === undefined)
    return shown > 0 ? `Jira did not say how many match; all: ${link}` : undefined;
  if (total <= shown) return undefined;
  return `${approximate ? "About " : ""}${total - shown} more not shown (${approximate ? "about " : ""}${total} match); narrow the query or see all: ${link}`;
}
