import type { CredentialRecognizeContext, RecognizedCredential } from "@agentllm/sdk";
import { JiraSetupError, jiraBaseUrl } from "./jira-connection.ts";
import type { JiraField } from "./jira-credential.ts";

/**
 * An Atlassian (Cloud) API token: `ATATT3` + URL-safe base64 + `=` + an 8-hex-digit checksum
 * (about 190 characters today; the bounds leave room and keep the match linear).
 */
const CLOUD_TOKEN =
  /(?<![A-Za-z0-9_-])ATATT3[A-Za-z0-9_-]{20,400}=[0-9A-Fa-f]{8}(?![A-Za-z0-9_=-])/g;

/**
 * A Jira Server/Data Center personal access token: 44 base64 characters (33 bytes, no padding)
 * that decode to `<numeric token id>:<random bytes>`. Only the decoded shape tells it from any
 * other 44-character base64 string, so that is checked too (see {@link isDataCenterToken}).
 */
const BASE64_44 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{44}(?![A-Za-z0-9+/=_-])/g;
const PAT_ID = /^[0-9]{6,20}:/;
/** Random bytes after the id; far fewer would not be a token. */
const MIN_PAT_RANDOM_BYTES = 8;

/** A URL in prose ends at white space, quotes or brackets; trailing punctuation is the sentence's. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'`()[\]{}]{1,2048}/g;
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;
/** Where a pasted Jira page address stops being the server's base URL. */
const JIRA_PAGE_PATHS = ["/browse/", "/rest/", "/secure/", "/projects/", "/issues/"];

export interface RecognizeOptions {
  /** The operator's default server (`JIRA_BASE_URL`). */
  readonly defaultBaseUrl: () => string | undefined;
}

/**
 * Finds Jira tokens pasted into a message. What is redacted (`matched`) depends on the text
 * alone; what is stored also uses the message's server URL and email, else the user's stored
 * ones, else the operator's default server. A Cloud token needs an email (Basic auth); a Data
 * Center token needs none.
 */
export function recognizeJiraToken(
  text: string,
  ctx: CredentialRecognizeContext,
  options: RecognizeOptions,
): RecognizedCredential<JiraField> | undefined {
  const cloud = [...text.matchAll(CLOUD_TOKEN)].map((match) => match[0]);
  const server = [...text.matchAll(BASE64_44)].map((match) => match[0]).filter(isDataCenterToken);
  const matched = [...new Set([...cloud, ...server])];
  if (matched.length === 0) return undefined;

  const urls = [...text.matchAll(URL_IN_TEXT)].map((match) => serverUrlOf(match[0]));
  const messageUrl = urls.find((url) => url !== undefined);
  const serverUrl =
    messageUrl ?? (ctx.stored.serverUrl || undefined) ?? usable(options.defaultBaseUrl());
  if (cloud[0] !== undefined) {
    const cloudUrl = urls.find((url) => url?.endsWith(".atlassian.net")) ?? serverUrl;
    const email = firstEmail(text) ?? (ctx.stored.email || undefined);
    if (!email) {
      return {
        matched,
        missing:
          "A Jira Cloud API token works only together with the email of your Atlassian account, and I have none for you.",
      };
    }
    if (!cloudUrl) return { matched, missing: noServer("https://your-site.atlassian.net") };
    return { matched, values: { serverUrl: cloudUrl, email, token: cloud[0] } };
  }
  if (!serverUrl) return { matched, missing: noServer("https://jira.example.com") };
  // A Data Center token signs in alone (Bearer): an email would make it a Cloud credential.
  return { matched, values: { serverUrl, token: server[0] as string } };
}

/** `<digits>:<random>` once decoded: the shape Jira Server/Data Center gives its tokens. */
export function isDataCenterToken(candidate: string): boolean {
  const decoded = Buffer.from(candidate, "base64");
  const colon = decoded.indexOf(0x3a);
  if (colon === -1 || decoded.length - colon - 1 < MIN_PAT_RANDOM_BYTES) return false;
  return PAT_ID.test(decoded.subarray(0, colon + 1).toString("latin1"));
}

function noServer(example: string): string {
  return `I do not know which Jira this token is for: send its address (such as ${example}) with it.`;
}

/** A pasted Jira address (perhaps of an issue page) as a server base URL, if it is one. */
function serverUrlOf(raw: string): string | undefined {
  let url = raw.replace(/[.,;:!?]+$/, "");
  for (const marker of JIRA_PAGE_PATHS) {
    const at = url.indexOf(marker, url.indexOf("//") + 2);
    if (at !== -1) url = url.slice(0, at);
  }
  return usable(url);
}

function usable(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return jiraBaseUrl(url.trim());
  } catch (error) {
    if (error instanceof JiraSetupError) return undefined;
    throw error;
  }
}

function firstEmail(text: string): string | undefined {
  for (const match of text.matchAll(EMAIL_IN_TEXT)) {
    // `user:pass@host` inside a URL is not an email the user gave.
    const before = text.slice(Math.max(0, (match.index ?? 0) - 3), match.index);
    if (!before.endsWith("//") && !before.endsWith(":")) return match[0];
  }
  return undefined;
}
