import type { ChatMessage } from "./chat-message.ts";

/** How Open WebUI's task prompts begin (title, tags, follow-ups, search queries, …). */
const TASK_PROMPT = "### Task:";

/**
 * Whether a request is one of Open WebUI's background tasks rather than a chat turn: the
 * connection's task header says so (`X-OpenWebUI-Task: {{TASK}}`, forwarded by the bridge), or
 * the last user message is a task prompt. Tasks are answered by one plain model call; they are
 * not part of the conversation (`answer-task.ts`).
 */
export function isBackgroundTask(messages: readonly ChatMessage[], taskHeader?: string): boolean {
  if (taskHeader) return true;
  const lastUser = messages.findLast((message) => message.role === "user");
  return textStart(lastUser?.content).trimStart().startsWith(TASK_PROMPT);
}

function textStart(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content.slice(0, 200);
  if (!Array.isArray(content)) return "";
  const first = content.find((part) => part.type === "text");
  return typeof first?.text === "string" ? first.text.slice(0, 200) : "";
}
