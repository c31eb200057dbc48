import type { IncomingMessage, ServerResponse } from "node:http";
import { embedAnswer } from "./embed-answer.ts";
import {
  type GoogleErrorBody,
  googleError,
  invalidApiKeyError,
  missingApiKeyError,
} from "./google-error.ts";
import type { ImplicitCache } from "./implicit-cache.ts";
import {
  type GeminiRequestBody,
  now,
  type RecordedMethod,
  type RecordedRequest,
  redactHeaders,
  redactPath,
} from "./recorded-request.ts";
import { listedModels, matchRoute, modelInfo, type Route } from "./routes.ts";
import type { FakeTurn } from "./script.ts";
import { thoughtsAsRequested } from "./thoughts.ts";
import { type Exchange, writeJson, writeTurn } from "./turn-writer.ts";
import { countPromptWords } from "./usage.ts";
import { validateGenerateRequest } from "./validate-request.ts";

/** What the request pipeline needs from the server that owns it. */
export interface RequestHost {
  /** The only key accepted, when set; otherwise any non-empty key is. */
  readonly apiKey: string | undefined;
  /** Aborts every exchange when the server shuts down. */
  readonly shutdown: AbortSignal;
  record(request: RecordedRequest): void;
  /** Embedding calls are kept apart, so tests that count model calls need not skip them. */
  recordEmbed(request: RecordedRequest): void;
  changed(request: RecordedRequest): void;
  closed(request: RecordedRequest): void;
  /** Resolves true once the test released `name`, false if `signal` aborts first. */
  released(name: string, signal: AbortSignal): Promise<boolean>;
  /** The next scripted turn, or the responder's answer. */
  nextTurn(request: RecordedRequest): Promise<FakeTurn>;
  nextResponseId(): string;
  /** Gemini's implicit prefix cache, for `cachedContentTokenCount`. */
  readonly cache: ImplicitCache;
}

function recordedMethod(route: Route): RecordedMethod {
  if (route.kind === "generate") return route.stream ? "streamGenerateContent" : "generateContent";
  if (route.kind === "listModels" || route.kind === "getModel") return route.kind;
  if (route.kind === "embed") return route.batch ? "batchEmbedContents" : "embedContent";
  return "other";
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function apiKeyOf(req: IncomingMessage, url: URL): string {
  const header = req.headers["x-goog-api-key"];
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? url.searchParams.get("key") ?? "").trim();
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (raw.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    return { ok: false, message: `Invalid JSON payload received. ${(error as Error).message}` };
  }
}

export async function handleRequest(
  host: RequestHost,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const receivedAt = now();
  const url = new URL(req.url ?? "/", "http://fake-gemini");
  const route = matchRoute(req.method ?? "GET", url.pathname);
  const apiKey = apiKeyOf(req, url);
  const record: RecordedRequest = {
    method: recordedMethod(route),
    model: route.kind === "notFound" || route.kind === "listModels" ? "" : route.model,
    path: redactPath(url),
    httpMethod: req.method ?? "GET",
    apiKeyPresent: apiKey !== "",
    headers: redactHeaders(req.headers),
    body: {},
    receivedAt,
    aborted: false,
    cut: false,
    emittedAt: [],
  };

  const closed = new AbortController();
  let cutByFake = false;
  // A client that goes away makes writes fail; that is expected, not a crash.
  res.on("error", () => {});
  res.on("close", () => {
    record.closedAt = now();
    record.aborted = !res.writableFinished && !cutByFake && !host.shutdown.aborted;
    closed.abort();
    host.closed(record);
  });

  const raw = await readBody(req).catch(() => "");
  const parsed = parseJson(raw);
  // Recorded only once the body is in, so waitForRequest predicates can look at it.
  const value = parsed.ok ? parsed.value : undefined;
  const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
  record.body = (isObject ? value : {}) as GeminiRequestBody;
  if (route.kind === "embed") host.recordEmbed(record);
  else host.record(record);

  const ex: Exchange = {
    res,
    record,
    stream: route.kind === "generate" && route.stream,
    sse: url.searchParams.get("alt") === "sse",
    pretty: url.searchParams.get("prettyPrint") !== "false",
    signal: AbortSignal.any([closed.signal, host.shutdown]),
    context: { model: record.model, responseId: "", promptTokenCount: 0 },
    cut() {
      cutByFake = true;
      record.cut = true;
      res.destroy();
    },
    released(name) {
      return host.released(name, this.signal);
    },
  };
  const fail = (body: GoogleErrorBody) => writeJson(ex, body.error.code, body);

  if (route.kind === "notFound") {
    return fail(googleError(404, `The requested URL ${url.pathname} was not found.`));
  }
  if (apiKey === "") return fail(missingApiKeyError());
  if (host.apiKey !== undefined && apiKey !== host.apiKey) return fail(invalidApiKeyError());
  if (route.kind === "listModels") {
    return writeJson(ex, 200, { models: listedModels.map(modelInfo) });
  }
  if (route.kind === "getModel") return writeJson(ex, 200, modelInfo(route.model));

  if (route.kind === "embed") {
    if (!parsed.ok) return fail(googleError(400, parsed.message));
    const answer = embedAnswer(route.batch, parsed.value);
    if (typeof answer === "string") return fail(googleError(400, answer));
    return writeJson(ex, 200, answer);
  }

  const invalid = parsed.ok ? validateGenerateRequest(parsed.value) : parsed.message;
  if (invalid !== undefined) return fail(googleError(400, invalid));

  let turn: FakeTurn;
  try {
    turn = thoughtsAsRequested(await host.nextTurn(record), record.body);
  } catch (error) {
    return fail(googleError(500, `fake gemini responder failed: ${(error as Error).message}`));
  }
  record.turn = turn;
  host.changed(record);
  ex.context = {
    model: record.model,
    responseId: host.nextResponseId(),
    promptTokenCount: countPromptWords(record.body),
    cachedTokenCount: host.cache.use({ apiKey, model: record.model }, record.body),
  };
  await writeTurn(turn, ex);
  host.changed(record);
}
