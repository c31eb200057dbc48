import { networkCause, readBoundedBody, retryAfterSeconds } from "@agentllm/sdk";
import type { JiraConnection } from "./jira-connection.ts";

/** A Jira request's wait, unless the tool's own deadline comes first. */
export const DEFAULT_JIRA_TIMEOUT_MS = 20_000;
/** The largest answer read: an issue with its comments is far smaller. */
export const MAX_JIRA_RESPONSE_BYTES = 4 * 1024 * 1024;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface JiraRequestOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

/** Jira answered with an error status. `messages` are Jira's own `errorMessages`. */
export class JiraHttpError extends Error {
  override readonly name = "JiraHttpError";
  constructor(
    readonly status: number,
    readonly messages: readonly string[],
    /** From `Retry-After` on a 429, in seconds. */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`Jira answered ${status}${messages.length > 0 ? `: ${messages.join(" ")}` : ""}`);
  }
}

/** No answer: the server could not be reached, did not answer in time, or sent no JSON. */
export class JiraUnavailableError extends Error {
  override readonly name = "JiraUnavailableError";
}

/**
 * GET `/rest/api/{version}/{path}` as the connection's user, JSON back. A small fetch client,
 * not a Jira SDK (see docs/architecture.md): two flavours, two endpoints, our own bounds.
 * Node's fetch keeps connections alive between calls.
 */
export function jiraGet(
  connection: JiraConnection,
  path: string,
  query: Readonly<Record<string, string>>,
  options: JiraRequestOptions,
): Promise<unknown> {
  return jiraRequest(connection, "GET", path, query, undefined, options);
}

/**
 * GET `/rest/agile/1.0/{path}`: Jira Software's Agile API (boards, sprints), the same path and
 * sign-in on Cloud and Data Center.
 */
export function jiraAgileGet(
  connection: JiraConnection,
  path: string,
  query: Readonly<Record<string, string>>,
  options: JiraRequestOptions,
): Promise<unknown> {
  return jiraRequest(connection, "GET", `agile:${path}`, query, undefined, options);
}

/** POST a JSON body (a search: a long JQL query does not fit a URL). */
export function jiraPost(
  connection: JiraConnection,
  path: string,
  body: unknown,
  options: JiraRequestOptions,
): Promise<unknown> {
  return jiraRequest(connection, "POST", path, {}, body, options);
}

/**
 * A write: POST or PUT a JSON body; Jira's JSON answer back, or null for its empty ones (204).
 * Never retried here: a write that may have happened must not happen twice.
 */
export function jiraWrite(
  connection: JiraConnection,
  method: "POST" | "PUT",
  path: string,
  body: unknown,
  options: JiraRequestOptions,
): Promise<unknown> {
  return jiraRequest(connection, method, path, {}, body, options);
}

async function jiraRequest(
  connection: JiraConnection,
  method: "GET" | "POST" | "PUT",
  path: string,
  query: Readonly<Record<string, string>>,
  body: unknown,
  options: JiraRequestOptions,
): Promise<unknown> {
  const url = new URL(
    path.startsWith("agile:")
      ? `${connection.baseUrl}/rest/agile/1.0/${path.slice("agile:".length)}`
      : `${connection.baseUrl}/rest/api/${connection.apiVersion}/${path}`,
  );
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const timeoutMs = options.timeoutMs ?? DEFAULT_JIRA_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const where = connection.baseUrl;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url.href, {
      method,
      headers: {
        authorization: connection.authorization,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
      redirect: "error",
    });
  } catch (error) {
    options.signal.throwIfAborted();
    if (timeout.aborted) {
      throw new JiraUnavailableError(
        `Jira at ${where} did not answer within ${timeoutMs / 1000} s`,
      );
    }
    throw new JiraUnavailableError(`could not reach Jira at ${where}: ${networkCause(error)}`);
  }
  let read: Awaited<ReturnType<typeof readBoundedBody>>;
  try {
    read = await readBoundedBody(response, MAX_JIRA_RESPONSE_BYTES);
  } catch (error) {
    options.signal.throwIfAborted();
    if (timeout.aborted) {
      throw new JiraUnavailableError(
        `Jira at ${where} did not answer within ${timeoutMs / 1000} s`,
      );
    }
    throw error;
  }
  if (read.tooLarge) {
    throw new JiraUnavailableError(`Jira's answer is larger than ${MAX_JIRA_RESPONSE_BYTES} bytes`);
  }
  const text = read.text;
  if (!response.ok) {
    throw new JiraHttpError(response.status, errorMessages(text), retryAfterSeconds(response));
  }
  if (response.status === 204 || (method !== "GET" && text.trim() === "")) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new JiraUnavailableError(
      `${where} did not answer with JSON: is it a Jira server? (check the server URL)`,
    );
  }
}

/** Jira's `{"errorMessages": [...], "errors": {...}}`; nothing for a plain-text or HTML body. */
function errorMessages(text: string): string[] {
  try {
    const body = JSON.parse(text) as { errorMessages?: unknown; errors?: unknown };
    const messages = Array.isArray(body.errorMessages)
      ? body.errorMessages.filter((m): m is string => typeof m === "string")
      : [];
    const errors =
      body.errors && typeof body.errors === "object"
        ? Object.entries(body.errors).map(([field, message]) => `${field}: ${String(message)}`)
        : [];
    return [...messages, ...errors].slice(0, 5).map((m) => m.slice(0, 300));
  } catch {
    return [];
  }
}
