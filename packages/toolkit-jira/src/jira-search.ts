import { type JiraRequestOptions, jiraPost } from "./jira-client.ts";
import type { JiraConnection } from "./jira-connection.ts";

/** The most issues one search reads, whatever a tool asks: ten pages, a few MiB at most. */
export const MAX_SEARCH_ISSUES = 1_000;
/** Issues asked for per page: Cloud's cap when fields are asked for (Data Center allows more). */
export const SEARCH_PAGE_SIZE = 100;
/** Characters of a JQL query: a long hand-written one is a few hundred. */
export const MAX_JQL_CHARS = 2_000;

export interface JiraSearchResult {
  /** Issue JSON, in Jira's order, at most the limit. */
  readonly issues: readonly unknown[];
  /** All matching issues; undefined when Jira would not say. */
  readonly total: number | undefined;
  /** Cloud counts with `/search/approximate-count`: recent changes may be missing. */
  readonly approximate: boolean;
}

/**
 * Up to `limit` issues matching `jql`, page by page: Cloud's `/search/jql` with
 * `nextPageToken` (no total; the count comes from `/search/approximate-count`, asked only when
 * the issues do not all fit), Data Center's `/search` with `startAt` and its `total`.
 */
export async function searchIssues(
  connection: JiraConnection,
  jql: string,
  fields: readonly string[],
  limit: number,
  options: JiraRequestOptions,
): Promise<JiraSearchResult> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_ISSUES) {
    throw new RangeError(`limit must be 1 to ${MAX_SEARCH_ISSUES}, got ${limit}`);
  }
  const issues: unknown[] = [];
  if (connection.flavour === "cloud") {
    let token: string | undefined;
    let more = true;
    while (more && issues.length < limit) {
      const page = (await jiraPost(
        connection,
        "search/jql",
        {
          jql,
          fields,
          maxResults: Math.min(SEARCH_PAGE_SIZE, limit - issues.length),
          ...(token ? { nextPageToken: token } : {}),
        },
        options,
      )) as { issues?: unknown; nextPageToken?: unknown };
      const got = Array.isArray(page.issues) ? page.issues : [];
      issues.push(...got.slice(0, limit - issues.length));
      token = typeof page.nextPageToken === "string" ? page.nextPageToken : undefined;
      // An empty page with a token would loop forever: stop there.
      more = token !== undefined && got.length > 0;
    }
    if (!more) return { issues, total: issues.length, approximate: false };
    const counted = (await jiraPost(connection, "search/approximate-count", { jql }, options)) as {
      count?: unknown;
    };
    const count = typeof counted.count === "number" ? counted.count : undefined;
    return {
      issues,
      // An approximate count can lag behind what was just read.
      total: count === undefined ? undefined : Math.max(count, issues.length + 1),
      approximate: true,
    };
  }
  let total: number | undefined;
  while (issues.length < limit) {
    const page = (await jiraPost(
      connection,
      "search",
      {
        jql,
        fields,
        startAt: issues.length,
        maxResults: Math.min(SEARCH_PAGE_SIZE, limit - issues.length),
      },
      options,
    )) as { issues?: unknown; total?: unknown };
    const got = Array.isArray(page.issues) ? page.issues : [];
    issues.push(...got.slice(0, limit - issues.length));
    total = typeof page.total === "number" ? page.total : undefined;
    if (got.length === 0 || total === undefined || issues.length >= total) break;
  }
  return { issues, total, approximate: false };
}
