import type { Content, Part } from "@google/genai";
import type { ChatContent, ChatMessage } from "./chat-message.ts";
import { stripToolCards } from "./tool-card.ts";

export interface GeminiConversation {
  /** Client system and developer messages, in order; they follow the agent's instructions. */
  readonly system: readonly string[];
  readonly contents: readonly Content[];
}

/**
 * OpenAI messages to Gemini contents. The client's history is the truth for user and
 * assistant text; the runtime's own tool-card markup is removed from assistant turns.
 * `tool` messages answer client-side tools, which agents do not offer: they are skipped.
 */
export function toGeminiConversation(messages: readonly ChatMessage[]): GeminiConversation {
  const system: string[] = [];
  const contents: Content[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
      case "developer": {
        const text = textOf(message.content);
        if (text.trim()) system.push(text);
        break;
      }
      case "user":
        push(contents, "user", toParts(message.content));
        break;
      case "assistant": {
        const text = stripToolCards(textOf(message.content));
        if (text) push(contents, "model", [{ text }]);
        break;
      }
      case "tool":
        break;
    }
  }
  return { system, contents };
}

/** Gemini expects turns to alternate; consecutive messages of one role become one turn. */
function push(contents: Content[], role: "user" | "model", parts: Part[]): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last?.role === role) last.parts = [...(last.parts ?? []), ...parts];
  else contents.push({ role, parts });
}

function textOf(content: ChatContent): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content
    .map((part) => (part.type === "text" && "text" in part ? String(part.text) : ""))
    .join("");
}

/** Whether an assistant message shows any text once our tool cards are removed. */
export function hasAnswerText(content: ChatContent): boolean {
  return stripToolCards(textOf(content)).length > 0;
}

/** Whether a user message gives the model anything at all (Gemini refuses an empty turn). */
export function hasUserInput(content: ChatContent): boolean {
  return toParts(content).length > 0;
}

// Only base64 (standard or URL-safe) goes to Gemini as inline data: anything else is its 400.
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,([\w+/-]+={0,2})$/;

function toParts(content: ChatContent): Part[] {
  if (content == null) return [];
  if (typeof content === "string") return content ? [{ text: content }] : [];
  return content.flatMap((part): Part[] => {
    if (part.type === "text" && "text" in part)
      return part.text ? [{ text: String(part.text) }] : [];
    if (part.type === "image_url") {
      const url = imageUrlOf(part);
      const data = url === undefined ? null : DATA_URL.exec(url);
      if (data) return [{ inlineData: { mimeType: data[1] as string, data: data[2] as string } }];
      // A data URL that is not an image we can pass is not worth quoting back to the model.
      if (url && !url.startsWith("data:"))
        return [
          { text: `[The user attached an image by URL, which this agent cannot open: ${url}]` },
        ];
      return [{ text: "[The user attached an image this agent cannot read.]" }];
    }
    return [{ text: `[The user attached a '${part.type}' part, which this agent cannot read.]` }];
  });
}

/** The catch-all part schema lets malformed image parts through; read them defensively. */
function imageUrlOf(part: object): string | undefined {
  const image = (part as { image_url?: unknown }).image_url;
  const url =
    typeof image === "object" && image !== null ? (image as { url?: unknown }).url : image;
  return typeof url === "string" && url.length > 0 ? url : undefined;
}
