import type { PluginLogger } from "@agentllm/sdk";
import { markdownUrl } from "../connect/connect-answer.ts";
import type { ConnectLinks } from "../connect/connect-links.ts";
import { toNewCredential } from "../connect/credential-form.ts";
import { validateCredential } from "../connect/validate-credential.ts";
import type { CredentialVault } from "../vault/credential-vault.ts";
import type { PastedCredential } from "./redact-pasted.ts";

/** The check of a pasted credential waits this long by default (the connect page's default). */
export const DEFAULT_PASTE_VALIDATE_TIMEOUT_MS = 15_000;

export interface PastedAnswerEnv {
  readonly userId: string | undefined;
  readonly vault: CredentialVault | undefined;
  /** Undefined when no public URL is configured. */
  readonly links: ConnectLinks | undefined;
  readonly validateTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly logger: PluginLogger;
}

/**
 * The turn's answer when the user pasted credentials: each one checked with its toolkit and
 * stored for the user, or why not, and the connect link to use next time. Written by the
 * runtime: the model is not called, so it never sees the message the token was in. Never
 * quotes a secret (the toolkit's messages are about the values, not the values).
 */
export async function pastedCredentialAnswer(
  found: readonly PastedCredential[],
  env: PastedAnswerEnv,
): Promise<string> {
  const paragraphs: string[] = [];
  for (const item of found) paragraphs.push(await storeOne(item, env));
  paragraphs.push(
    "Your chat app still keeps its own copy of the message as you typed it: delete that message (or this chat) there, and if others can read this chat, revoke the token and make a new one.",
  );
  return paragraphs.join("\n\n");
}

async function storeOne(item: PastedCredential, env: PastedAnswerEnv): Promise<string> {
  const { toolkit, credential, recognized } = item;
  const title = credential.title;
  const removed = `I removed the ${title} token from your message before storing the chat or sending it to the model.`;
  const log = (outcome: string, extra: Record<string, unknown> = {}) =>
    env.logger.info({ toolkit, outcome, ...extra }, "pasted credential");

  if (env.userId === undefined || !env.vault) {
    log("not stored: no user");
    return `${removed} I did not keep it: this request came without a signed-in user, so there is no account to keep it for. Sign in (or ask your operator to pass user identity to the agents) and connect ${title} from the link I give when a tool needs it.`;
  }
  const userId = env.userId;
  const nextTime = await connectLine(toolkit, title, userId, env);
  if (!recognized.values) {
    log("not stored: incomplete");
    return `${removed} I could not store it: ${recognized.missing ?? "the message does not say everything the token needs."} ${nextTime}`;
  }
  const values: Record<string, string> = {};
  for (const name of Object.keys(credential.fields)) values[name] = recognized.values[name] ?? "";
  const outcome = await validateCredential(credential, values, {
    toolkit,
    timeoutMs: env.validateTimeoutMs,
    signal: env.signal,
  });
  if (!outcome.ok) {
    if ("failure" in outcome) {
      // The error may quote the values: its name only.
      log(`not stored: check ${outcome.failure}`, {
        error: (outcome.error as Error | undefined)?.name,
      });
      const why =
        outcome.failure === "timeout"
          ? `${title} did not answer within ${Math.ceil(env.validateTimeoutMs / 1000)} s`
          : `it could not be checked with ${title} just now`;
      return `${removed} I did not store it: ${why}. ${nextTime}`;
    }
    log("not stored: refused");
    return `${removed} I did not store it: ${outcome.message} ${nextTime}`;
  }
  try {
    await env.vault.put(userId, toolkit, toNewCredential(credential, values, outcome.metadata));
  } catch (error) {
    env.logger.error(
      { toolkit, error: (error as Error)?.name },
      "storing a pasted credential failed",
    );
    return `${removed} It works, but I could not store it just now. ${nextTime}`;
  }
  log("stored");
  return `${removed} It works, and I stored it encrypted for you: ask me again and I will use it. ${nextTime}`;
}

/** "Next time, use this link", or why there is none. */
async function connectLine(
  toolkit: string,
  title: string,
  userId: string,
  env: PastedAnswerEnv,
): Promise<string> {
  const advice = `Next time, please connect ${title} on its page instead of pasting a token into the chat`;
  if (!env.links) return `${advice} (your operator can enable connect pages).`;
  try {
    const url = await env.links.linkFor(userId, toolkit);
    return `${advice}: [Connect ${title}](${markdownUrl(url)}) (this link is for you only and works once, for a short time).`;
  } catch (error) {
    env.logger.error({ toolkit, err: (error as Error)?.message }, "could not make a connect link");
    return `${advice}; ask me for a link when you need one.`;
  }
}
