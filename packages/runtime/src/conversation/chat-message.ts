/**
 * A chat message as the conversation code reads it: the slice of an OpenAI chat message the
 * agent uses. The HTTP layer validates requests into this shape (`http/chat-request-schema.ts`);
 * nothing here knows about HTTP.
 */
export interface ChatMessage {
  readonly role: "system" | "developer" | "user" | "assistant" | "tool";
  readonly content?: ChatContent;
}

/** A string, content parts, or nothing. */
export type ChatContent = string | readonly ChatContentPart[] | null | undefined;

/** `{type: "text", text}`, `{type: "image_url", image_url: {url}}`, or any other typed part. */
export interface ChatContentPart {
  readonly type: string;
  readonly [field: string]: unknown;
}
