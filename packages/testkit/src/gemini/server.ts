import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createDefaultResponder } from "./default-responder.ts";
import { handleRequest, type RequestHost } from "./handle-request.ts";
import { ImplicitCache } from "./implicit-cache.ts";
import type { RecordedRequest } from "./recorded-request.ts";
import type { Responder } from "./responder.ts";
import { type FakeTurn, parseTurn } from "./script.ts";

export interface FakeGeminiOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to the rule-based default responder (see default-responder.ts). */
  responder?: Responder;
  /** Accept only this key (others get the real API's 400 API_KEY_INVALID); default: any key. */
  apiKey?: string;
  /**
   * Report `cachedContentTokenCount` from the implicit cache (implicit-cache.ts); default true.
   * Off, the fake skips that work (2 to 5 ms per 1000-turn prompt on a busy 2-core VM), e.g.
   * in a benchmark, where it would count as the model's time.
   */
  implicitCache?: boolean;
  /** Called with one line per finished request, e.g. for the CLI's stderr. */
  log?: (line: string) => void;
}

export interface WaitOptions {
  /** Defaults to 5000 ms. */
  timeoutMs?: number;
}

export interface FakeGemini {
  /** `http://host:port`, the SDK's `httpOptions.baseUrl` or `GOOGLE_GEMINI_BASE_URL`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order (live objects, see RecordedRequest). */
  readonly requests: readonly RecordedRequest[];
  /** Every `embedContent` / `batchEmbedContents` call, in order (not in `requests`). */
  readonly embedRequests: readonly RecordedRequest[];
  /** Scripted turns not consumed yet. */
  readonly pendingTurns: number;
  /** Queues scripted turns; each model call takes the next one (FIFO). Validates them. */
  enqueue(...turns: FakeTurn[]): void;
  /** Clears the queue, the recordings and the implicit cache. */
  reset(): void;
  /** The first recorded request (past or future) matching `predicate`. */
  waitForRequest(
    predicate?: (request: RecordedRequest) => boolean,
    options?: WaitOptions,
  ): Promise<RecordedRequest>;
  /** Resolves once request `index` (default: the latest) was aborted by the client. */
  waitForAbort(index?: number, options?: WaitOptions): Promise<RecordedRequest>;
  /** Resolves once request `index` (default: the latest) is closed, however it ended. */
  waitForClose(index?: number, options?: WaitOptions): Promise<RecordedRequest>;
  /** Lets every answer held on `name` (a turn's `hold.until`) go on, now and later. */
  release(name: string): void;
  /** Stops listening and destroys open connections (hanging requests included). */
  close(): Promise<void>;
}

function describe(request: RecordedRequest): string {
  const outcome = request.aborted ? "aborted" : request.cut ? "cut" : "done";
  const events = request.emittedAt.length;
  return `${request.httpMethod} ${request.path} -> ${request.status ?? "-"} ${outcome} (${events} events)`;
}

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const responder = options.responder ?? createDefaultResponder();
  const shutdown = new AbortController();
  const requests: RecordedRequest[] = [];
  const embedRequests: RecordedRequest[] = [];
  let queue: FakeTurn[] = [];
  let responses = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };

  const released = new Set<string>();
  const cache = new ImplicitCache({ enabled: options.implicitCache ?? true });
  const host: RequestHost = {
    apiKey: options.apiKey,
    shutdown: shutdown.signal,
    record(request) {
      requests.push(request);
      notify();
    },
    recordEmbed(request) {
      embedRequests.push(request);
    },
    changed() {
      notify();
    },
    closed(request) {
      options.log?.(describe(request));
      notify();
    },
    released(name, signal) {
      if (released.has(name)) return Promise.resolve(true);
      if (signal.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const settle = (outcome: boolean) => {
          waiters.delete(check);
          signal.removeEventListener("abort", onAbort);
          resolve(outcome);
        };
        const check = () => {
          if (released.has(name)) settle(true);
        };
        const onAbort = () => settle(false);
        waiters.add(check);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
    async nextTurn(request) {
      return queue.shift() ?? parseTurn(await responder(request));
    },
    cache,
    nextResponseId() {
      responses += 1;
      return `fake-response-${String(responses).padStart(6, "0")}`;
    },
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    handleRequest(host, req, res).catch((error: unknown) => {
      options.log?.(`fake gemini: request failed: ${String(error)}`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;

  function waitFor(
    find: () => RecordedRequest | undefined,
    what: string,
    timeoutMs = 5000,
  ): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const check = () => {
        const found = find();
        if (found !== undefined) {
          done();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        const seen = requests.map(describe).join("; ") || "none";
        reject(new Error(`fake gemini: no ${what} within ${timeoutMs} ms (requests: ${seen})`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }
  const at = (index?: number) => (index === undefined ? requests.at(-1) : requests[index]);

  return {
    url: `http://${hostname}:${address.port}`,
    port: address.port,
    requests,
    embedRequests,
    get pendingTurns() {
      return queue.length;
    },
    enqueue(...turns) {
      queue.push(...turns.map(parseTurn));
    },
    release(name) {
      released.add(name);
      notify();
    },
    reset() {
      queue = [];
      released.clear();
      requests.length = 0;
      cache.clear();
      embedRequests.length = 0;
    },
    waitForRequest(predicate = () => true, waitOptions = {}) {
      return waitFor(() => requests.find(predicate), "matching request", waitOptions.timeoutMs);
    },
    waitForAbort(index, waitOptions = {}) {
      const find = () => (at(index)?.aborted ? at(index) : undefined);
      return waitFor(find, `abort of request ${index ?? "latest"}`, waitOptions.timeoutMs);
    },
    waitForClose(index, waitOptions = {}) {
      const find = () => (at(index)?.closedAt !== undefined ? at(index) : undefined);
      return waitFor(find, `close of request ${index ?? "latest"}`, waitOptions.timeoutMs);
    },
    async close() {
      if (shutdown.signal.aborted) return;
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
