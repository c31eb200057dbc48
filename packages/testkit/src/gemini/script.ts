import { z } from "zod";

/** Gemini's finish reasons, as the `@google/genai` `FinishReason` enum spells them. */
export const finishReasons = [
  "STOP",
  "MAX_TOKENS",
  "SAFETY",
  "RECITATION",
  "LANGUAGE",
  "OTHER",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "MALFORMED_FUNCTION_CALL",
  "IMAGE_SAFETY",
  "UNEXPECTED_TOOL_CALL",
  "TOO_MANY_TOOL_CALLS",
  "FINISH_REASON_UNSPECIFIED",
] as const;
export type FinishReasonName = (typeof finishReasons)[number];

/**
 * A text part; `thought: true` makes it a thinking summary the SDK's `.text` skips, sent only
 * when the request asks for thoughts (thoughts.ts).
 */
export interface FakeTextPart {
  text: string;
  thought?: boolean;
  thoughtSignature?: string;
}

/** A function call; the real API sends each one as its own stream event, args complete. */
export interface FakeFunctionCallPart {
  functionCall: { name: string; args?: Record<string, unknown>; id?: string };
  thoughtSignature?: string;
}

/** A plain string is a text chunk: one string, one SSE event. */
export type FakePart = string | FakeTextPart | FakeFunctionCallPart;

/** Final token counts; anything left out is counted from the words (see usage.ts). */
export interface FakeUsage {
  promptTokenCount?: number;
  /** Of the prompt, the tokens served from the implicit cache; default: implicit-cache.ts. */
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** A successful model answer. Streamed one part per event; unary calls get it merged. */
export interface FakeReply {
  parts: FakePart[];
  /** Pause between two events (and, for unary calls, counted into the single wait). */
  delayMs?: number;
  /** Pause before the first event; defaults to 0. Headers go out with the first event. */
  firstDelayMs?: number;
  usage?: FakeUsage;
  /** On the last event; defaults to STOP. */
  finishReason?: FinishReasonName;
  /**
   * Destroy the socket after this many events, without ending the body: a cut stream
   * (0 = right after the headers). A unary call with any value gets half its JSON, then the cut.
   */
  cutAfter?: number;
  /**
   * Ends the stream with an error event, `data: {"error": {...}}`, instead of a finish
   * reason, as the real API does for faults after the first chunk. Unary calls get the
   * HTTP error instead of the reply.
   */
  streamError?: { status: number; message?: string };
  /**
   * Stop writing after this many events but keep the connection open: a stalled stream.
   * A unary call with any value never answers after its delays.
   */
  stallAfter?: number;
  /**
   * Stop writing after `after` events until the test calls `release(until)` on the server,
   * then go on: an answer that is sure to still be running at some step of a test, with no
   * timing involved. A unary call waits before it answers.
   */
  hold?: { after: number; until: string };
}

/** An HTTP error with Google's error JSON, before any body is sent. */
export interface FakeHttpError {
  error: {
    /** HTTP status: 429, 500, 503, 400 ... The Google `status` string is derived from it. */
    status: number;
    message?: string;
    /** For 429: sent as a `Retry-After` header and a `google.rpc.RetryInfo` detail. */
    retryAfterSeconds?: number;
    /** Replaces the generated `details` array. */
    details?: unknown[];
  };
  delayMs?: number;
}

/** Never answers: for client timeouts and aborts. */
export interface FakeHang {
  hang: true;
}

export type FakeTurn = FakeReply | FakeHttpError | FakeHang;

const count = z.number().int().nonnegative();

const partSchema: z.ZodType<FakePart> = z.union([
  z.string(),
  z.strictObject({
    text: z.string(),
    thought: z.boolean().optional(),
    thoughtSignature: z.string().optional(),
  }),
  z.strictObject({
    functionCall: z.strictObject({
      name: z.string().min(1),
      args: z.record(z.string(), z.unknown()).optional(),
      id: z.string().optional(),
    }),
    thoughtSignature: z.string().optional(),
  }),
]);

const replySchema: z.ZodType<FakeReply> = z.strictObject({
  parts: z.array(partSchema),
  delayMs: count.optional(),
  firstDelayMs: count.optional(),
  usage: z
    .strictObject({
      promptTokenCount: count.optional(),
      cachedContentTokenCount: count.optional(),
      candidatesTokenCount: count.optional(),
      thoughtsTokenCount: count.optional(),
    })
    .optional(),
  finishReason: z.enum(finishReasons).optional(),
  cutAfter: count.optional(),
  streamError: z
    .strictObject({ status: z.number().int().min(400).max(599), message: z.string().optional() })
    .optional(),
  stallAfter: count.optional(),
  hold: z.strictObject({ after: count, until: z.string().min(1).max(200) }).optional(),
});

const httpErrorSchema: z.ZodType<FakeHttpError> = z.strictObject({
  error: z.strictObject({
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    details: z.array(z.unknown()).optional(),
  }),
  delayMs: count.optional(),
});

const hangSchema: z.ZodType<FakeHang> = z.strictObject({ hang: z.literal(true) });

export const fakeTurnSchema: z.ZodType<FakeTurn> = z.union([
  replySchema,
  httpErrorSchema,
  hangSchema,
]);

/** A script file is either an array of turns or `{ "turns": [...] }`. */
export const fakeScriptSchema = z.union([
  z.array(fakeTurnSchema),
  z.strictObject({ turns: z.array(fakeTurnSchema) }).transform((script) => script.turns),
]);

/** Validates a script (parsed JSON); throws an Error listing every problem. */
export function parseScript(json: unknown): FakeTurn[] {
  const result = fakeScriptSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`invalid fake gemini script:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** Validates one turn; throws an Error naming the problem. */
export function parseTurn(turn: unknown): FakeTurn {
  const result = fakeTurnSchema.safeParse(turn);
  if (!result.success) {
    throw new Error(`invalid fake gemini turn:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export function isHttpError(turn: FakeTurn): turn is FakeHttpError {
  return "error" in turn;
}

export function isHang(turn: FakeTurn): turn is FakeHang {
  return "hang" in turn;
}

/** Splits text into word chunks (leading whitespace kept) so it streams word by word. */
export function wordChunks(text: string): string[] {
  const chunks = text.match(/\s*\S+/g) ?? [];
  const trailing = /\s+$/.exec(text)?.[0] ?? "";
  if (chunks.length === 0) return text === "" ? [] : [text];
  chunks[chunks.length - 1] += trailing;
  return chunks;
}
