/**
 * Small pieces every toolkit that calls an HTTP API needs, so each toolkit's client keeps only
 * what is particular to its service (auth, error bodies, messages).
 */

/** A response body read up to a limit: never more than `maxBytes` held in memory. */
export interface BoundedBody {
  readonly text: string;
  /** `truncate` was asked for and the body was longer: `text` is its first `maxBytes`. */
  readonly truncated: boolean;
  /** `truncate` was not asked for and the body (or its Content-Length) was longer: `text` is empty. */
  readonly tooLarge: boolean;
}

/**
 * Reads `response`'s body as UTF-8, stopping at `maxBytes`: cut there (`truncate`, for documents a
 * model may read the start of) or given up (`tooLarge`, for JSON that is useless cut). The rest of
 * the body is cancelled, not downloaded.
 */
export async function readBoundedBody(
  response: Response,
  maxBytes: number,
  { truncate = false }: { truncate?: boolean } = {},
): Promise<BoundedBody> {
  const cancel = () => response.body?.cancel().catch(() => {});
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes && !truncate) {
    await cancel();
    return { text: "", truncated: false, tooLarge: true };
  }
  if (!response.body) return { text: "", truncated: false, tooLarge: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    if (size + chunk.byteLength > maxBytes) {
      await cancel();
      if (!truncate) return { text: "", truncated: false, tooLarge: true };
      chunks.push(chunk.subarray(0, maxBytes - size));
      // A cut may split the last character: drop what it left behind.
      const text = Buffer.concat(chunks)
        .toString("utf8")
        .replace(/\uFFFD+$/, "");
      return { text, truncated: true, tooLarge: false };
    }
    size += chunk.byteLength;
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated: false, tooLarge: false };
}

/** `Retry-After` in whole seconds, from its seconds or HTTP-date form; undefined if absent or odd. */
export function retryAfterSeconds(response: Response): number | undefined {
  const raw = response.headers.get("retry-after");
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** What made a `fetch` fail, short: the system error code (ECONNREFUSED) or the cause's message. */
export function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return (error as Error)?.message ?? String(error);
}
