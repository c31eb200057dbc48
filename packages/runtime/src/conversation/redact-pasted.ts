import type {
  ApiTokenCredential,
  PluginLogger,
  RecognizedCredential,
  ToolkitDefinition,
} from "@agentllm/sdk";
import type { ChatContent, ChatMessage } from "./chat-message.ts";

/**
 * A recognised "secret" shorter than this is not redacted: replacing a short string everywhere
 * would mangle ordinary words, and no token a toolkit recognises is this short.
 */
export const MIN_REDACTED_CHARS = 16;

/** A credential found in the user's new turn, for its toolkit to check and the vault to keep. */
export interface PastedCredential {
  readonly toolkit: string;
  readonly credential: ApiTokenCredential;
  readonly recognized: RecognizedCredential;
}

export interface RedactedConversation {
  readonly messages: readonly ChatMessage[];
  /** One per toolkit, found in the user's new turn (the user messages after the last answer). */
  readonly latest: readonly PastedCredential[];
  /** Secrets replaced, in all messages: for the log. */
  readonly redactions: number;
}

/** The fixed text a pasted secret is replaced with: the same on every turn, whatever became of it. */
export function redactionMarker(credential: ApiTokenCredential): string {
  return `[${credential.title} token removed]`;
}

/**
 * Takes credentials the agent's toolkits recognise out of every user message, the history
 * included: clients re-send the original text with each request, and the redacted text is what
 * is hashed into the session's prefix keys, so the same message must always come out the same
 * (recognisers promise `matched` depends on the text alone). Only the new turn's findings are
 * returned for storing; older ones were handled when they were new. Messages without a
 * finding are returned as they came (the same objects).
 */
export function redactPastedCredentials(
  messages: readonly ChatMessage[],
  toolkits: readonly ToolkitDefinition[],
  options: {
    /** Non-secret values the user has stored for a toolkit (see CredentialRecognizeContext). */
    readonly storedFor: (toolkit: string) => Readonly<Record<string, string>>;
    readonly logger: PluginLogger;
  },
): RedactedConversation {
  const recognisers = toolkits.flatMap((toolkit) => {
    const credential = toolkit.credential;
    return credential?.kind === "api-token" && credential.recognize
      ? [{ toolkit: toolkit.name, credential }]
      : [];
  });
  if (recognisers.length === 0) return { messages, latest: [], redactions: 0 };

  const newTurnStart = messages.findLastIndex((message) => message.role === "assistant") + 1;
  const latest = new Map<string, PastedCredential>();
  let redactions = 0;
  const redacted = messages.map((message, index) => {
    if (message.role !== "user") return message;
    const isNew = index >= newTurnStart;
    const redactText = (text: string): string => {
      let result = text;
      for (const { toolkit, credential } of recognisers) {
        const recognized = recognise(credential, toolkit, result, isNew, options);
        if (!recognized) continue;
        const marker = redactionMarker(credential);
        let replaced = 0;
        for (const secret of recognized.matched) {
          if (secret.length < MIN_REDACTED_CHARS || !result.includes(secret)) continue;
          result = result.split(secret).join(marker);
          replaced++;
        }
        redactions += replaced;
        if (isNew && replaced > 0 && !latest.has(toolkit)) {
          latest.set(toolkit, { toolkit, credential, recognized });
        }
      }
      return result;
    };
    const content = redactContent(message.content, redactText);
    return content === message.content ? message : { ...message, content };
  });
  return { messages: redacted, latest: [...latest.values()], redactions };
}

function recognise(
  credential: ApiTokenCredential,
  toolkit: string,
  text: string,
  isNew: boolean,
  options: {
    readonly storedFor: (toolkit: string) => Readonly<Record<string, string>>;
    readonly logger: PluginLogger;
  },
): RecognizedCredential | undefined {
  try {
    // Older messages are only redacted, and redaction may not depend on what is stored now.
    return credential.recognize?.(text, { stored: isNew ? options.storedFor(toolkit) : {} });
  } catch (error) {
    // A recogniser's bug must not fail the chat; its message may quote the text, so the name only.
    options.logger.error(
      { toolkit, error: (error as Error)?.name },
      "a toolkit's credential recogniser failed",
    );
    return undefined;
  }
}

function redactContent(content: ChatContent, redact: (text: string) => string): ChatContent {
  if (typeof content === "string") {
    const result = redact(content);
    return result === content ? content : result;
  }
  if (!content) return content;
  let changed = false;
  const parts = content.map((part) => {
    if (part.type !== "text" || typeof part.text !== "string") return part;
    const text = redact(part.text);
    if (text === part.text) return part;
    changed = true;
    return { ...part, text };
  });
  return changed ? parts : content;
}
