import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type GoogleErrorBody, googleError, rateLimitDetails } from "./google-error.ts";
import { now, type RecordedRequest } from "./recorded-request.ts";
import {
  type GeminiResponseJson,
  type ResponseContext,
  streamChunks,
  unaryResponse,
} from "./response-chunks.ts";
import {
  type FakeHttpError,
  type FakeReply,
  type FakeTurn,
  isHang,
  isHttpError,
} from "./script.ts";

/** One request being answered. */
export interface Exchange {
  res: ServerResponse;
  record: RecordedRequest;
  stream: boolean;
  /** `alt=sse`; without it `streamGenerateContent` answers with a streamed JSON array. */
  sse: boolean;
  /** Google APIs pretty-print JSON unless `prettyPrint=false`. */
  pretty: boolean;
  /** Aborts when the connection closes or the server shuts down. */
  signal: AbortSignal;
  context: ResponseContext;
  /** Destroys the socket mid-answer and remembers it was the fake's doing. */
  cut(): void;
  /** Resolves true once the test released `name` (at once if it already did), false if the exchange ended first. */
  released(name: string): Promise<boolean>;
}

/** Headers every real Gemini answer carries (values as seen from the real service). */
const commonHeaders = {
  Vary: "Origin, X-Origin, Referer",
  "X-Content-Type-Options": "nosniff",
  Server: "scaffolding on HTTPServer2",
};

/** Resolves false instead of waiting when the exchange is over. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  return sleep(ms, true, { signal }).catch(() => false);
}

/** Resolves once the data is handed to the socket, so a cut right after still delivers it. */
function write(ex: Exchange, data: string): Promise<void> {
  return new Promise((resolve) => ex.res.write(data, () => resolve()));
}

function json(body: unknown, pretty: boolean): string {
  return pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
}

export function writeJson(
  ex: Pick<Exchange, "res" | "record" | "pretty">,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (ex.res.destroyed) return;
  ex.record.status = status;
  ex.res.writeHead(status, {
    "Content-Type": "application/json; charset=UTF-8",
    ...commonHeaders,
    ...headers,
  });
  ex.record.emittedAt.push(now());
  ex.res.end(json(body, ex.pretty));
}

async function writeHttpError(turn: FakeHttpError, ex: Exchange): Promise<void> {
  if (!(await pause(turn.delayMs ?? 0, ex.signal))) return;
  const { status, message, retryAfterSeconds, details } = turn.error;
  const headers: Record<string, string> = {};
  let generated: unknown[] | undefined;
  if (status === 429) generated = rateLimitDetails(retryAfterSeconds);
  if (retryAfterSeconds !== undefined) {
    headers["Retry-After"] = String(Math.ceil(retryAfterSeconds));
    // Other statuses (503 ...) carry only the RetryInfo, not the quota details.
    generated ??= rateLimitDetails(retryAfterSeconds).slice(-1);
  }
  const withRetryHint =
    status === 429 && message === undefined && retryAfterSeconds !== undefined
      ? `${googleError(429).error.message}\nPlease retry in ${retryAfterSeconds}s.`
      : message;
  writeJson(ex, status, googleError(status, withRetryHint, details ?? generated), headers);
}

async function writeUnary(turn: FakeReply, ex: Exchange): Promise<void> {
  const events = Math.max(turn.parts.length, 1);
  const wait = (turn.firstDelayMs ?? 0) + (turn.delayMs ?? 0) * (events - 1);
  if (!(await pause(wait, ex.signal))) return;
  if (turn.hold !== undefined && !(await ex.released(turn.hold.until))) return;
  if (turn.stallAfter !== undefined) return;
  if (turn.streamError) {
    const { status, message } = turn.streamError;
    return writeJson(ex, status, googleError(status, message));
  }
  const body = unaryResponse(turn, ex.context);
  if (turn.cutAfter !== undefined) {
    // Half a JSON body, then a dead socket: the SDK's response.json() must fail.
    const text = json(body, ex.pretty);
    ex.record.status = 200;
    ex.res.writeHead(200, { "Content-Type": "application/json; charset=UTF-8", ...commonHeaders });
    ex.record.emittedAt.push(now());
    await write(ex, text.slice(0, Math.floor(text.length / 2)));
    ex.cut();
    return;
  }
  writeJson(ex, 200, body);
}

function frame(chunk: GeminiResponseJson | GoogleErrorBody, index: number, ex: Exchange): string {
  // The real API ends each SSE event with CRLF CRLF; the SDK accepts \n\n, \r\r and \r\n\r\n.
  if (ex.sse) return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
  return `${index === 0 ? "[" : ",\r\n"}${json(chunk, ex.pretty)}`;
}

async function writeStream(turn: FakeReply, ex: Exchange): Promise<void> {
  const chunks = streamChunks(turn, ex.context);
  let headWritten = false;
  const writeHead = async (flush: boolean) => {
    if (headWritten) return;
    headWritten = true;
    ex.record.status = 200;
    ex.res.writeHead(200, {
      "Content-Type": ex.sse ? "text/event-stream" : "application/json; charset=UTF-8",
      "Content-Disposition": "attachment",
      ...commonHeaders,
    });
    if (flush) await write(ex, "");
  };
  for (const [i, chunk] of chunks.entries()) {
    if (turn.hold?.after === i) {
      if (i === 0) await writeHead(true);
      if (!(await ex.released(turn.hold.until))) return;
    }
    if (turn.cutAfter === i || turn.stallAfter === i) {
      if (i === 0) await writeHead(true);
      if (turn.cutAfter === i) ex.cut();
      return;
    }
    const delay = i === 0 ? (turn.firstDelayMs ?? 0) : (turn.delayMs ?? 0);
    if (!(await pause(delay, ex.signal))) return;
    if (i === 0) await writeHead(false);
    ex.record.emittedAt.push(now());
    await write(ex, frame(chunk, i, ex));
  }
  if (turn.cutAfter !== undefined && turn.cutAfter >= chunks.length) {
    ex.cut();
    return;
  }
  if (turn.stallAfter !== undefined && turn.stallAfter >= chunks.length) return;
  if (turn.streamError) {
    const { error } = googleError(turn.streamError.status, turn.streamError.message);
    ex.record.emittedAt.push(now());
    await write(ex, frame({ error }, chunks.length, ex));
  }
  ex.res.end(ex.sse ? undefined : "]");
}

/** Writes one turn; resolves once it is written (or the exchange ended). Hangs never write. */
export async function writeTurn(turn: FakeTurn, ex: Exchange): Promise<void> {
  if (isHang(turn)) return;
  if (isHttpError(turn)) return writeHttpError(turn, ex);
  return ex.stream ? writeStream(turn, ex) : writeUnary(turn, ex);
}
