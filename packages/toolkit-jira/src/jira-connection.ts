/**
 * Which Jira a user's credential points at, and how to sign in there. An email means Jira
 * Cloud (Basic `email:api-token`, REST v3 with Atlassian Document Format); no email means
 * Server/Data Center (`Bearer` personal access token, REST v2), the two ways each documents.
 */
export type JiraFlavour = "cloud" | "server";

export interface JiraConnection {
  /** No trailing slash: `https://jira.example.com` or `https://site.atlassian.net`. */
  readonly baseUrl: string;
  readonly flavour: JiraFlavour;
  readonly apiVersion: "2" | "3";
  /** The Authorization header's value: a secret, never logged or returned. */
  readonly authorization: string;
}

/** The values of the credential's fields (see jira-credential.ts). */
export interface JiraCredentialValues {
  readonly serverUrl?: string | undefined;
  readonly email?: string | undefined;
  readonly token?: string | undefined;
}

export class JiraSetupError extends Error {
  override readonly name = "JiraSetupError";
}

export function jiraConnection(
  values: JiraCredentialValues,
  defaultBaseUrl: string | undefined,
): JiraConnection {
  const baseUrl = jiraBaseUrl(values.serverUrl?.trim() || defaultBaseUrl?.trim() || "");
  const token = values.token?.trim();
  if (!token) throw new JiraSetupError("the Jira credential has no token");
  const email = values.email?.trim();
  return email
    ? {
        baseUrl,
        flavour: "cloud",
        apiVersion: "3",
        authorization: `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`,
      }
    : { baseUrl, flavour: "server", apiVersion: "2", authorization: `Bearer ${token}` };
}

/** Checks and normalises a server URL: http(s), no user info, no trailing slash. */
export function jiraBaseUrl(raw: string): string {
  if (raw === "") {
    throw new JiraSetupError(
      "no Jira server URL: connect Jira with your server's URL, or ask the operator to set JIRA_BASE_URL",
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new JiraSetupError(`the Jira server URL is not a URL: ${raw}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new JiraSetupError(`the Jira server URL must start with https:// (got ${url.protocol})`);
  }
  if (url.username || url.password) {
    throw new JiraSetupError("the Jira server URL must not contain a user name or password");
  }
  url.search = "";
  url.hash = "";
  return url.href.replace(/\/+$/, "");
}
