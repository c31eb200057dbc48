import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CollectedSpan, decodeTraceRequest } from "./trace-request.ts";

export interface FakeOtlpCollectorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** A larger export is a 413 (a real collector's default limit is about 20 MiB). */
  readonly maxBodyBytes?: number;
  /** The most spans kept; past it the export is a 507 and nothing of it is kept. */
  readonly maxSpans?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_SPANS = 10_000;

export interface FakeOtlpCollector {
  /** The base endpoint, for `OTEL_EXPORTER_OTLP_ENDPOINT` (exports go to `<url>/v1/traces`). */
  readonly url: string;
  /** Every span received so far, in the order they arrived. */
  spans(): readonly CollectedSpan[];
  /** How many export requests arrived (any path), answered or refused. */
  requestCount(): number;
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP trace receiver as the OpenTelemetry Collector's: `POST /v1/traces` with
 * `application/x-protobuf` (what the Node and Python OTLP HTTP exporters send), answered with
 * an empty `ExportTraceServiceResponse`. Anything else is a 404, 405 or 415.
 */
export async function startFakeOtlpCollector(
  options: FakeOtlpCollectorOptions = {},
): Promise<FakeOtlpCollector> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxSpans = options.maxSpans ?? DEFAULT_MAX_SPANS;
  const received: CollectedSpan[] = [];
  let requests = 0;

  const server = createServer((req, res) => {
    requests += 1;
    handle(req, res).catch(() => answer(res, 400, "unreadable export"));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/v1/traces") return answer(res, 404, "only /v1/traces is served");
    if (req.method !== "POST") return answer(res, 405, "POST an export");
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
    if (type !== "application/x-protobuf") {
      req.resume();
      return answer(res, 415, "send application/x-protobuf");
    }
    const body = await readBody(req, maxBodyBytes);
    if (!body) return answer(res, 413, `an export is at most ${maxBodyBytes} bytes`);
    const spans = decodeTraceRequest(body);
    if (received.length + spans.length > maxSpans) {
      return answer(res, 507, `the collector keeps at most ${maxSpans} spans`);
    }
    received.push(...spans);
    res.writeHead(200, { "content-type": "application/x-protobuf", "content-length": "0" });
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    spans: () => [...received],
    requestCount: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The body, or undefined once it passes `limit` (the rest is not read). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "text/plain", connection: "close" });
  res.end(message);
}
