import { createHash } from "node:crypto";
import pg from "pg";
import { MAX_TIMER_MS } from "../config.ts";
import { SessionBusyError } from "./session-busy-error.ts";
import { type AcquireOptions, type SessionLease, SessionLocks } from "./session-lock.ts";
import { SessionLockUnavailableError } from "./session-lock-unavailable-error.ts";
import type { SessionKey } from "./session-store.ts";

/** How `pg_stat_activity` names the lock connections (operators and tests look for it). */
export const LOCK_APPLICATION_NAME = "agentllm-session-lock";
/** Idle lock connections kept for the next run; more are closed when given back. */
const MAX_IDLE_CONNECTIONS = 4;
/** How long opening a lock connection may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long the server may take past the lock wait to answer (lock, unlock): a connection that
 * stays silent longer is destroyed, so a hung server can never hold a request or a lease.
 */
const ANSWER_GRACE_MS = 10_000;
/**
 * The server probes an idle lock connection after 30 s of silence, every 10 s, and drops it
 * after 3 unanswered probes: a holder whose host vanished without a FIN (power cut, network
 * partition) loses its locks after about a minute instead of the kernel's two hours. Postgres
 * ignores these settings on unix sockets, where the peer's death is always seen at once.
 */
const SERVER_KEEPALIVE =
  "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3";
/** And this side probes the server the same way, so a vanished server fails the release. */
const CLIENT_KEEPALIVE_DELAY_MS = 30_000;

/** Postgres' SQLSTATEs for "lock_timeout passed" and "query cancelled". */
const LOCK_NOT_AVAILABLE = "55P03";
const QUERY_CANCELED = "57014";

export interface PostgresSessionLocksOptions {
  readonly connectionString: string;
  /** As {@link SessionLocks}: the whole wait, in this process's queue and in Postgres'. */
  readonly waitMs: number;
  /**
   * Lock connections open at once: each held lock (and each process's first waiter of a
   * session) is one connection. Past it `acquire` fails with `SessionLockUnavailableError`.
   */
  readonly maxConnections: number;
  /**
   * Cancels the query of a backend (`pg_cancel_backend`) over another connection: a request
   * that leaves the wait must not leave its backend in Postgres' lock queue.
   */
  readonly cancelBackend: (pid: number) => Promise<unknown>;
}

/**
 * One run at a time per session across every runtime on one Postgres database: a session-level
 * advisory lock (`pg_advisory_lock`) on a dedicated connection, held for the whole run.
 *
 * The per-process queue ({@link SessionLocks}) stays in front, so one process puts at most one
 * request per session into Postgres' lock queue, which then orders the processes. Whatever
 * happens to the holder, Postgres frees the lock with its connection: a crash closes it, a
 * vanished host is found by TCP keepalives, a failed unlock destroys it.
 */
export class PostgresSessionLocks {
  readonly #options: PostgresSessionLocksOptions;
  readonly #local: SessionLocks;
  /** Every open lock connection, held or idle. */
  readonly #open = new Set<pg.Client>();
  readonly #idle: pg.Client[] = [];
  /** Cancellations and unlocks under way, so `close` can wait for them. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: PostgresSessionLocksOptions) {
    const { waitMs, maxConnections } = options;
    if (!Number.isInteger(maxConnections) || maxConnections < 1) {
      throw new RangeError("maxConnections must be a whole number of at least 1");
    }
    this.#local = new SessionLocks({ waitMs });
    this.#options = { ...options };
  }

  /** Lock connections open now (held or idle). */
  get connections(): number {
    return this.#open.size;
  }

  /** Sessions this process holds or waits for. */
  get size(): number {
    return this.#local.size;
  }

  async acquire(key: SessionKey, options: AcquireOptions = {}): Promise<SessionLease> {
    const { signal } = options;
    const deadline = performance.now() + this.#options.waitMs;
    const local = await this.#local.acquire(key, options);
    let client: pg.Client;
    try {
      client = await this.#take();
    } catch (error) {
      local.release();
      throw error;
    }
    if (signal?.aborted) {
      this.#giveBack(client);
      local.release();
      throw signal.reason;
    }
    const id = advisoryLockId(key);
    const waitMs = Math.min(MAX_TIMER_MS, Math.max(0, Math.floor(deadline - performance.now())));
    await this.#lock(client, id, waitMs, key.sessionId, signal, () => local.release());
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#track(this.#unlock(client, id).finally(() => local.release()));
      },
    };
  }

  /** Closes every idle connection and waits for unlocks and cancellations under way. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    for (const client of [...this.#open]) this.#destroy(client);
  }

  async #take(): Promise<pg.Client> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#open.size >= this.#options.maxConnections) {
      throw new SessionLockUnavailableError("capacity", this.#options.maxConnections);
    }
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: LOCK_APPLICATION_NAME,
      options: SERVER_KEEPALIVE,
      keepAlive: true,
      keepAliveInitialDelayMillis: CLIENT_KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // A dead connection took its locks with it; it must never be handed out again.
    client.on("error", () => this.#destroy(client));
    client.on("end", () => this.#destroy(client));
    this.#open.add(client);
    try {
      await client.connect();
    } catch (error) {
      this.#destroy(client);
      throw new SessionLockUnavailableError("database", this.#options.maxConnections, error);
    }
    return client;
  }

  /**
   * Waits in Postgres' queue for the lock, up to `waitMs` (`lock_timeout`, 0 = try once).
   * Resolves once held; rejects with `SessionBusyError` past the wait, the signal's reason at
   * once on abort (the waiting query is cancelled behind it). `done` runs once the connection
   * is back in a known state (idle, or destroyed) when the lock was not taken.
   */
  #lock(
    client: pg.Client,
    id: string,
    waitMs: number,
    sessionId: string,
    signal: AbortSignal | undefined,
    done: () => void,
  ): Promise<void> {
    // Both numbers are ours (an integer and a decimal int64), safe inside the statement; one
    // simple-protocol round trip sets the session's lock_timeout and waits.
    const query =
      waitMs === 0
        ? client.query(`select pg_try_advisory_lock(${id}) as locked`)
        : client.query(`set lock_timeout = ${waitMs}; select pg_advisory_lock(${id}) as locked`);
    const silent = setTimeout(
      () => this.#destroy(client),
      Math.min(MAX_TIMER_MS, waitMs + ANSWER_GRACE_MS),
    );
    return new Promise<void>((resolve, reject) => {
      let left = false;
      const onAbort = () => {
        left = true;
        reject(signal?.reason);
        // pg keeps the backend's pid from the server's BackendKeyData; its types omit it.
        const pid = (client as unknown as { readonly processID: number | null }).processID;
        if (pid === null) this.#destroy(client);
        else {
          this.#track(this.#options.cancelBackend(pid).catch(() => this.#destroy(client)));
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle = () => {
        clearTimeout(silent);
        signal?.removeEventListener("abort", onAbort);
      };
      const outcome = query.then(
        (result: pg.QueryResult | pg.QueryResult[]) => {
          settle();
          const rows = Array.isArray(result) ? result[result.length - 1]?.rows : result.rows;
          const locked = rows?.[0]?.locked !== false;
          if (left) {
            // Granted just as the request left: closing the connection frees the lock.
            this.#destroy(client);
            done();
          } else if (!locked) {
            this.#giveBack(client);
            done();
            reject(new SessionBusyError(sessionId, 0));
          } else {
            resolve();
          }
        },
        (error: unknown) => {
          settle();
          const code = (error as { code?: unknown }).code;
          if (code === LOCK_NOT_AVAILABLE || (left && code === QUERY_CANCELED)) {
            this.#giveBack(client);
          } else {
            this.#destroy(client);
          }
          done();
          if (left) return;
          if (code === LOCK_NOT_AVAILABLE) reject(new SessionBusyError(sessionId, waitMs));
          else {
            reject(
              new SessionLockUnavailableError("database", this.#options.maxConnections, error),
            );
          }
        },
      );
      this.#track(outcome);
    });
  }

  /** Unlocks and keeps the connection, or destroys it: never pools a connection still locked. */
  async #unlock(client: pg.Client, id: string): Promise<void> {
    const silent = setTimeout(() => this.#destroy(client), ANSWER_GRACE_MS);
    try {
      const result = await client.query(`select pg_advisory_unlock(${id}) as unlocked`);
      if (result.rows[0]?.unlocked === true) this.#giveBack(client);
      else this.#destroy(client);
    } catch {
      this.#destroy(client);
    } finally {
      clearTimeout(silent);
    }
  }

  #giveBack(client: pg.Client): void {
    if (!this.#open.has(client)) return;
    if (this.#idle.length < MAX_IDLE_CONNECTIONS) this.#idle.push(client);
    else this.#destroy(client);
  }

  /** Drops a connection for good; the server frees whatever it held when the socket closes. */
  #destroy(client: pg.Client): void {
    if (!this.#open.delete(client)) return;
    const index = this.#idle.indexOf(client);
    if (index !== -1) this.#idle.splice(index, 1);
    // end() waits for the server's goodbye; a dead peer gets the socket destroyed under it.
    void client.end().catch(() => {});
  }

  #track(promise: Promise<unknown>): void {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
  }
}

/**
 * The session's advisory lock key: the first 64 bits of a SHA-256 of (user, agent, session
 * id), as a signed decimal for `bigint`. Two sessions sharing a key (about one in 2^64 per
 * pair) only wait for each other like one session would; they never share data. Other
 * software on the same database taking advisory locks could collide the same harmless way;
 * give the runtime its own database.
 */
export function advisoryLockId(key: SessionKey): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(["agentllm-session", key.userId, key.agent, key.sessionId]))
    .digest();
  return digest.readBigInt64BE(0).toString();
}
