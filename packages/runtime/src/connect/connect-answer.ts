import type { PluginLogger } from "@agentllm/sdk";
import { neverConnected } from "../vault/request-credentials.ts";
import type { ConnectLinks } from "./connect-links.ts";

/** The variable an operator sets to enable connect links (see design.md, "Credentials"). */
export const PUBLIC_URL_VARIABLE = "AGENTLLM_PUBLIC_URL";

/** A toolkit a tool needed a credential for, in this run. */
export interface MissingCredential {
  readonly toolkit: string;
  /** The credential's title: "Jira". */
  readonly title: string;
  /** `CredentialRequiredError.reason`: "not connected", "Jira refused the token (401)". */
  readonly reason: string;
}

export interface ConnectAnswerEnv {
  readonly userId: string | undefined;
  /** Undefined when no public URL is configured. */
  readonly links: ConnectLinks | undefined;
  readonly logger: PluginLogger;
}

/**
 * The turn's answer when a tool needs a credential the user has not given: what to connect and
 * where, as Markdown the client renders as a link. Written by the runtime, not the model, so the
 * link is the one made for this user and the model never handles it.
 */
export async function connectAnswer(
  missing: readonly MissingCredential[],
  env: ConnectAnswerEnv,
): Promise<string> {
  const titles = joinTitles(missing.map((item) => item.title));
  const why = missing
    .filter((item) => !neverConnected(item.reason))
    .map((item) => `${item.title}: ${item.reason}. I have forgotten the saved credential.`);
  const intro = [...why, `To do this I need access to your ${titles} account.`].join("\n\n");

  if (env.userId === undefined) {
    return `${intro}\n\n${titles} needs a signed-in user, and this request came without one, so there is no account to connect it to. Sign in (or ask your operator to pass user identity to the agents) and ask again.`;
  }
  if (!env.links) {
    return `${intro}\n\nConnecting accounts is not enabled on this server: an operator must set ${PUBLIC_URL_VARIABLE} to the public address of the runtime's connect pages (port 9502). Please tell your administrator.`;
  }
  const lines: string[] = [];
  for (const item of missing) {
    try {
      const url = await env.links.linkFor(env.userId, item.toolkit);
      lines.push(`- [Connect ${item.title}](${markdownUrl(url)})`);
    } catch (error) {
      env.logger.error(
        { toolkit: item.toolkit, err: (error as Error)?.message },
        "could not make a connect link",
      );
      lines.push(`- ${item.title}: I could not make a connect link just now; please ask again.`);
    }
  }
  return `${intro} Open the link below (it is for you only and works once, for a short time), connect there, then ask me again:\n\n${lines.join("\n")}`;
}

function joinTitles(titles: readonly string[]): string {
  const unique = [...new Set(titles)];
  if (unique.length <= 1) return unique[0] ?? "";
  return `${unique.slice(0, -1).join(", ")} and ${unique.at(-1)}`;
}

/** A URL inside `(...)` of a Markdown link: brackets, spaces and angle brackets escaped. */
export function markdownUrl(url: string): string {
  return url.replace(
    /[()<>\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}
