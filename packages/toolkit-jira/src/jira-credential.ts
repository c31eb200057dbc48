import type { ApiTokenCredential, CredentialCheck } from "@agentllm/sdk";
import { type FetchLike, JiraHttpError, JiraUnavailableError, jiraGet } from "./jira-client.ts";
import { JiraSetupError, jiraConnection } from "./jira-connection.ts";
import { recognizeJiraToken } from "./recognize-jira-token.ts";

/** The connect page's check of entered values waits at most this long for Jira. */
export const VALIDATE_TIMEOUT_MS = 10_000;

export type JiraField = "serverUrl" | "email" | "token";

export interface JiraCredentialOptions {
  /** The server when the user gives none (`JIRA_BASE_URL`), read when needed. */
  readonly defaultBaseUrl: () => string | undefined;
  readonly fetch?: FetchLike;
}

/**
 * The user's Jira: server URL (or the operator's `JIRA_BASE_URL`), the Cloud email, and the
 * token. Checked against `/myself` before it is saved; the account's name and the flavour are
 * kept as metadata the model may see.
 */
export function jiraCredential(options: JiraCredentialOptions): ApiTokenCredential<JiraField> {
  return {
    kind: "api-token",
    title: "Jira",
    fields: {
      serverUrl: {
        label: "Jira URL",
        secret: false,
        type: "url",
        required: false,
        placeholder: "https://jira.example.com or https://your-site.atlassian.net",
        help: "The address you open Jira at. Leave empty to use your organisation's default Jira.",
      },
      email: {
        label: "Email (Jira Cloud only)",
        secret: false,
        required: false,
        help: "For Jira Cloud, the email of your Atlassian account. Leave empty for Jira Server or Data Center.",
      },
      token: {
        label: "API token or personal access token",
        secret: true,
        type: "password",
        help: "Cloud: create an API token in your Atlassian account's security settings. Server/Data Center: create a personal access token in your Jira profile.",
      },
    },
    validate: (values, ctx) => {
      const checkFetch = options.fetch ?? ctx.fetch;
      return checkJiraCredential(values, ctx.signal, {
        ...options,
        ...(checkFetch ? { fetch: checkFetch } : {}),
      });
    },
    recognize: (text, ctx) => recognizeJiraToken(text, ctx, options),
  };
}

export async function checkJiraCredential(
  values: Readonly<Partial<Record<JiraField, string>>>,
  signal: AbortSignal,
  options: JiraCredentialOptions,
): Promise<CredentialCheck> {
  let connection: ReturnType<typeof jiraConnection>;
  try {
    connection = jiraConnection(values, options.defaultBaseUrl());
  } catch (error) {
    if (error instanceof JiraSetupError) return { ok: false, message: capitalise(error.message) };
    throw error;
  }
  try {
    const me = (await jiraGet(
      connection,
      "myself",
      {},
      {
        signal,
        timeoutMs: VALIDATE_TIMEOUT_MS,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
    )) as { displayName?: unknown };
    const account = typeof me.displayName === "string" ? me.displayName : "";
    return {
      ok: true,
      metadata: {
        serverUrl: connection.baseUrl,
        flavour: connection.flavour,
        ...(account ? { account } : {}),
      },
    };
  } catch (error) {
    if (error instanceof JiraUnavailableError)
      return { ok: false, message: capitalise(error.message) };
    if (!(error instanceof JiraHttpError)) throw error;
    return { ok: false, message: refusal(error, connection.baseUrl, connection.flavour) };
  }
}

function refusal(error: JiraHttpError, baseUrl: string, flavour: "cloud" | "server"): string {
  switch (error.status) {
    case 401:
      return flavour === "cloud"
        ? "Jira did not accept this email and API token. Check both: the email of your Atlassian account and an API token you created for it."
        : "Jira did not accept this personal access token. Check that it is complete and not expired or revoked; for Jira Cloud, also fill in your email.";
    case 403:
      return "Jira refused this account (403): it may lack access to Jira, or Jira wants a CAPTCHA after failed sign-ins (sign in once in the browser).";
    case 404:
      return `No Jira REST API at ${baseUrl} (404): check the server URL. ${flavour === "server" ? "For Jira Cloud, also fill in your email." : ""}`.trim();
    case 429:
      return `Jira is limiting requests; try again${error.retryAfterSeconds !== undefined ? ` in ${error.retryAfterSeconds} s` : " shortly"}.`;
    default:
      return `Jira at ${baseUrl} answered ${error.status}; try again later.`;
  }
}

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`.replace(/\.\.$/, ".");
}
