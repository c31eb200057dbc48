import { countTokens } from "./fake-model.ts";

/** Epoch milliseconds with sub-millisecond precision, comparable with the fake's timestamps. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export interface StreamTarget {
  readonly url: string;
  readonly headers: Record<string, string>;
}

export interface RequestResult {
  /** The tag id the prompt carried (matches the fake's emit timestamps). */
  readonly id: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly startedAt: number;
  /** From the request start to the first non-empty content delta. */
  readonly ttftMs: number;
  /** From the request start to `data: [DONE]` (or the end of the body). */
  readonly totalMs: number;
  /** Receive time of each token (` tok<k>`), in order. */
  readonly tokenReceivedAt: number[];
  /** The assistant text received. */
  readonly text: string;
}

/**
 * One streaming chat completion with `fetch` (undici) and a minimal SSE parser: every network
 * read is timestamped once and each token it completes gets that time. `expectTokens` (when
 * given) must all arrive, or the request counts as an error.
 */
export async function streamChat(
  target: StreamTarget,
  body: object,
  id: string,
  expectTokens?: number,
): Promise<RequestResult> {
  const startedAt = now();
  let ttft = Number.NaN;
  let text = "";
  const tokenReceivedAt: number[] = [];
  const fail = (error: string): RequestResult => ({
    id,
    ok: false,
    error,
    startedAt,
    ttftMs: ttft,
    totalMs: now() - startedAt,
    tokenReceivedAt,
    text,
  });
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...target.headers },
      body: JSON.stringify(body),
    });
    if (res.status !== 200 || !res.body) {
      const detail = (await res.text().catch(() => "")).slice(0, 300);
      return fail(`HTTP ${res.status}: ${detail}`);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let done = false;
    while (!done) {
      const read = await reader.read();
      if (read.done) break;
      const at = now();
      buffer += read.value;
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        for (const line of event.split("\n")) {
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (data === "[DONE]") {
            done = true;
            break;
          }
          const chunk = JSON.parse(data) as {
            error?: { message?: string };
            choices?: { delta?: { content?: string | null } }[];
          };
          if (chunk.error) {
            await reader.cancel();
            return fail(`stream error: ${chunk.error.message ?? "unknown"}`);
          }
          const content = chunk.choices?.[0]?.delta?.content;
          if (!content) continue;
          if (Number.isNaN(ttft)) ttft = at - startedAt;
          text += content;
          for (let n = countTokens(content); n > 0; n--) tokenReceivedAt.push(at);
        }
      }
    }
    if (!done) await reader.cancel().catch(() => undefined);
    const totalMs = now() - startedAt;
    if (!done) return fail("stream ended without [DONE]");
    if (expectTokens !== undefined && tokenReceivedAt.length !== expectTokens) {
      return fail(`received ${tokenReceivedAt.length} of ${expectTokens} tokens`);
    }
    return { id, ok: true, startedAt, ttftMs: ttft, totalMs, tokenReceivedAt, text };
  } catch (error) {
    // undici's "fetch failed" says nothing; the cause says what (reset, refused, closed).
    const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
    const why = cause ? ` (${cause.code ?? cause.message ?? String(cause)})` : "";
    return fail(`request failed: ${(error as Error).message}${why}`);
  }
}

/**
 * Closed-loop load: `concurrency` workers, each sending its next request as soon as the
 * previous one ended, until `total` were sent or (with `stopAt`, epoch ms as `now()`) that time
 * has come; requests already sent then still finish. `onDone` after each one (progress).
 */
export async function runClosedLoop(
  total: number,
  concurrency: number,
  send: (index: number) => Promise<RequestResult>,
  onDone: () => void,
  stopAt = Number.POSITIVE_INFINITY,
): Promise<{ results: RequestResult[]; wallMs: number }> {
  const results: RequestResult[] = [];
  let next = 0;
  const started = now();
  const worker = async () => {
    while (next < total && now() < stopAt) {
      const index = next++;
      results.push(await send(index));
      onDone();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { results, wallMs: now() - started };
}
