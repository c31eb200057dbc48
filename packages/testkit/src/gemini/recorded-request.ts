import type { FakeTurn } from "./script.ts";

/** A Gemini `Part` as the SDK sends it; only the fields the fake looks at are typed. */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name?: string; args?: Record<string, unknown>; id?: string };
  functionResponse?: { name?: string; response?: Record<string, unknown>; id?: string };
  [field: string]: unknown;
}

export interface GeminiContent {
  role?: string;
  parts?: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name?: string;
  description?: string;
  /** Gemini's OpenAPI-subset schema (`type: "OBJECT"` ...). */
  parameters?: unknown;
  /** Plain JSON Schema, what zod's `toJSONSchema` produces. */
  parametersJsonSchema?: unknown;
}

/** The JSON body of `generateContent` / `streamGenerateContent`. */
export interface GeminiRequestBody {
  contents?: GeminiContent[];
  systemInstruction?: GeminiContent;
  tools?: { functionDeclarations?: GeminiFunctionDeclaration[]; [field: string]: unknown }[];
  toolConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  [field: string]: unknown;
}

export type RecordedMethod =
  | "generateContent"
  | "streamGenerateContent"
  | "embedContent"
  | "batchEmbedContents"
  | "listModels"
  | "getModel"
  | "other";

/**
 * One request as the fake saw it. The object is live: `aborted`, `closedAt`, `emittedAt`
 * and `status` fill in while the answer is written.
 * Timestamps are epoch milliseconds with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`), comparable across processes.
 */
export interface RecordedRequest {
  method: RecordedMethod;
  /** Model id without the `models/` prefix, e.g. `gemini-2.5-flash`; "" when none. */
  model: string;
  /** Path and query as received, with a `key` query value redacted. */
  path: string;
  httpMethod: string;
  apiKeyPresent: boolean;
  /** Lower-cased names; the api key and authorization values are redacted. */
  headers: Record<string, string>;
  body: GeminiRequestBody;
  receivedAt: number;
  /** True when the client closed the connection before the answer was complete. */
  aborted: boolean;
  /** True when the fake itself cut the connection (`cutAfter`). */
  cut: boolean;
  closedAt?: number;
  /** When each SSE event (or the unary body) was written. */
  emittedAt: number[];
  /** HTTP status sent, once the head is written. */
  status?: number;
  /** The turn that answered (scripted or from the responder). */
  turn?: FakeTurn;
}

export const REDACTED = "[redacted]";

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const secret = name === "x-goog-api-key" || name === "authorization";
    out[name] = secret ? REDACTED : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function redactPath(url: URL): string {
  return url.pathname + url.search.replace(/([?&]key=)[^&]*/g, "$1REDACTED");
}
