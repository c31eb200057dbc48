import type { ToolOutcome } from "./execute-tool-call.ts";
import type { IndexedTool } from "./to-gemini-tools.ts";

/** A status line is one short line above the answer; a longer phrase is cut to this. */
export const MAX_STATUS_CHARS = 120;

/**
 * The phrase the user sees while a tool call runs ("Reading PROJ-1…"): the tool's own `status`,
 * fixed or made from its validated arguments, else one made from the tool's name. A phrase
 * function that throws, returns nothing useful, or gets arguments its schema rejects falls back
 * to the name's phrase: a status line must never fail a run. `scrub` removes the user's
 * credentials, in case a phrase quotes one.
 */
export function toolStatus(
  name: string,
  args: unknown,
  indexed: IndexedTool | undefined,
  scrub: (text: string) => string = (text) => text,
): string {
  const fallback = defaultStatus(name);
  const declared = indexed?.tool.status;
  let phrase: unknown = declared;
  if (typeof declared === "function") {
    const parsed = indexed?.tool.parameters.safeParse(args ?? {});
    try {
      phrase = parsed?.success ? declared(parsed.data) : undefined;
    } catch {
      phrase = undefined;
    }
  }
  const line = typeof phrase === "string" ? oneLine(scrub(phrase)) : "";
  return bound(line || fallback);
}

/**
 * The line once the call has ended: its phrase and how it ended ("Reading DEMO-1 — done").
 * Open WebUI keeps every status line in the message's history and lists them on a click, so the
 * same line twice would read as a repeat; and the dimmed last line then says how it went.
 */
export function doneStatus(running: string, outcome: ToolOutcome): string {
  const how = outcome.credentialRequired
    ? `${outcome.credentialRequired.title} not connected`
    : outcome.isError
      ? "failed"
      : "done";
  const suffix = ` — ${how}`;
  const base = running.endsWith("…") ? running.slice(0, -1) : running;
  // The phrase gives way, so the ending is whole (unless a toolkit's title alone is too long).
  return bound(`${bound(base, MAX_STATUS_CHARS - [...suffix].length)}${suffix}`);
}

/** `get_issue` → "Using the get issue tool…"; `findFiles` → "Using the find files tool…". */
export function defaultStatus(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_+/g, " ")
    .trim()
    .toLowerCase();
  return bound(`Using the ${words || name} tool…`);
}

function oneLine(text: string): string {
  // Control characters and line breaks would break the single line Open WebUI draws.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
}

function bound(text: string, max = MAX_STATUS_CHARS): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}
