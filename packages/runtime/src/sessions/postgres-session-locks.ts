import { createHash } from "node:crypto";
import pg from "pg";
import { MAX_TIMER_MS } from "../config.ts";
import { SessionBusyError } from "./session-busy-error.ts";
import { type AcquireOptions, type SessionLease, SessionLocks } from "./session-lock.ts";
import { SessionLockUnavailableError } from "./session-lock-unavailable-error.ts";
import type { SessionKey } from "./session-store.ts";

/** How `pg_stat_activity` names the lock connections (operators and tests look for it). */
export const LOCK_APPLICATION_NAME = "agentllm-session-lock";
/** Idle waiter connections kept for the next busy conversation; more are closed when given back. */
const MAX_IDLE_WAITERS = 2;
/** How long opening a lock connection may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long the server may take past the lock wait to answer (try, lock, unlock): a connection
 * that stays silent longer is destroyed, so a hung server can never hold a request or a lease.
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
   * Waiter connections open at once (the shared holder connection comes on top): each
   * conversation this process waits for in Postgres' queue, then holds, is one. Past it
   * `acquire` fails with `SessionLockUnavailableError`.
   */
  readonly maxConnections: number;
  /**
   * Cancels the query of a backend (`pg_cancel_backend`) over another connection: a request
   * that leaves the wait must not leave its backend in Postgres' lock queue.
   */
  readonly cancelBackend: (pid: number) => Promise<unknown>;
  /**
   * Called once per held lock whose connection dies before its release (its backend
   * terminated, the server restarted), when its lease's `lost` signal aborts: another run may
   * take the conversation now, so the holder must stop.
   */
  readonly onLost?: () => void;
}

/**
 * One run at a time per session across every runtime on one Postgres database: a session-level
 * advisory lock, held for the whole run.
 *
 * A free conversation is locked with `pg_try_advisory_lock` on one connection shared by every
 * run of this process (no connection per run). Only a busy one gets a waiter connection of its
 * own: it waits in Postgres' queue (`pg_advisory_lock` under `lock_timeout`) and keeps the lock
 * there until the release, since a lock cannot move between backends. The shared connection
 * never runs a query that blocks, so one slow conversation never delays another.
 *
 * The per-process queue ({@link SessionLocks}) stays in front, and it is what keeps one holder
 * per conversation per process: session-level advisory locks are re-entrant per backend, so a
 * second `pg_try_advisory_lock` of a key already held on the shared connection would succeed.
 * It never happens, because a key's next local waiter only goes on once the previous lease's
 * unlock has answered. The queue also puts at most one request per conversation into Postgres'
 * queue, which then orders the processes. Whatever happens to a holder, Postgres frees its
 * locks with its connection: a crash closes it, a vanished host is found by TCP keepalives, a
 * failed unlock destroys it.
 */
export class PostgresSessionLocks {
  readonly #options: PostgresSessionLocksOptions;
  readonly #local: SessionLocks;
  /** Every open lock connection: the shared one and the waiters, held or idle. */
  readonly #open = new Set<pg.Client>();
  /** The shared holder connection, once asked for (connecting or open). */
  #shared: { readonly client: pg.Client; readonly ready: Promise<pg.Client> } | undefined;
  /** Open waiter connections, held or idle: the ones `maxConnections` bounds. */
  readonly #waiters = new Set<pg.Client>();
  readonly #idle: pg.Client[] = [];
  /**
   * Leases held on each connection, by the controller of each lease's `lost` signal: any
   * number on the shared one, at most one on a waiter.
   */
  readonly #held = new Map<pg.Client, Set<AbortController>>();
  /** Unlocks under way on waiter connections: each gives one back soon (or destroys it). */
  readonly #waiterUnlocks = new Set<Promise<void>>();
  /** Each connection's last short query (`#ask`): the next one is sent once it answered. */
  readonly #asking = new WeakMap<pg.Client, Promise<void>>();
  /** Connects, cancellations and unlocks under way, so `close` can wait for them. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: PostgresSessionLocksOptions) {
    const { waitMs, maxConnections } = options;
    if (!Number.isInteger(maxConnections) || maxConnections < 1) {
      throw new RangeError("maxConnections must be a whole number of at least 1");
    }
    this.#local = new SessionLocks({ waitMs });
    this.#options = { ...options };
  }

  /** Lock connections open now: the shared one and the waiters (held or idle). */
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
    const id = advisoryLockId(key);
    let shared: pg.Client;
    let locked: boolean;
    try {
      shared = await this.#sharedConnection();
      locked = (await this.#ask(shared, `select pg_try_advisory_lock(${id}) as answer`)) === true;
    } catch (error) {
      local.release();
      throw this.#unavailable(error);
    }
    if (locked) {
      const lease = this.#lease(shared, id, local);
      if (signal?.aborted) {
        lease.release();
        throw signal.reason;
      }
      return lease;
    }
    if (signal?.aborted) {
      local.release();
      throw signal.reason;
    }
    const waitMs = Math.min(MAX_TIMER_MS, Math.floor(deadline - performance.now()));
    if (this.#options.waitMs === 0 || waitMs <= 0) {
      local.release();
      throw new SessionBusyError(key.sessionId, this.#options.waitMs);
    }
    let waiter: pg.Client;
    try {
      waiter = await this.#takeWaiter();
    } catch (error) {
      local.release();
      throw error;
    }
    if (signal?.aborted) {
      this.#giveBack(waiter);
      local.release();
      throw signal.reason;
    }
    await this.#lock(waiter, id, waitMs, key.sessionId, signal, () => local.release());
    return this.#lease(waiter, id, local);
  }

  /** Waits for connects, unlocks and cancellations under way, then closes every connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    // Closing frees what runs still hold; that is no loss to report.
    this.#held.clear();
    for (const client of [...this.#open]) this.#destroy(client);
  }

  /** A lease on a lock now held on `client`; its release unlocks there, then frees the key locally. */
  #lease(client: pg.Client, id: string, local: SessionLease): SessionLease {
    const lost = new AbortController();
    // Its connection may have died between the grant and now: the lock is already gone.
    if (this.#open.has(client)) {
      const leases = this.#held.get(client) ?? new Set<AbortController>();
      leases.add(lost);
      this.#held.set(client, leases);
    } else {
      this.#lose(lost);
    }
    const waiter = this.#waiters.has(client);
    let released = false;
    return {
      lost: lost.signal,
      release: () => {
        if (released) return;
        released = true;
        // The key's next local waiter goes on only now: see the class comment on re-entrancy.
        const unlocking = this.#unlock(client, id, lost).finally(() => {
          this.#waiterUnlocks.delete(unlocking);
          local.release();
        });
        if (waiter) this.#waiterUnlocks.add(unlocking);
        this.#track(unlocking);
      },
    };
  }

  /** The shared holder connection: opened on first use, and again after it died. */
  #sharedConnection(): Promise<pg.Client> {
    if (this.#shared === undefined) {
      const client = this.#client();
      const ready = this.#connect(client);
      this.#shared = { client, ready };
      this.#track(ready);
    }
    return this.#shared.ready;
  }

  async #takeWaiter(): Promise<pg.Client> {
    for (;;) {
      const idle = this.#idle.pop();
      if (idle) return idle;
      if (this.#waiters.size < this.#options.maxConnections) break;
      // A run that just ended still unlocks on its waiter connection; wait for that connection
      // (an unlock is answered or destroyed within 10 s) rather than refuse.
      if (this.#waiterUnlocks.size === 0) {
        throw new SessionLockUnavailableError("capacity", this.#options.maxConnections);
      }
      await Promise.race(this.#waiterUnlocks);
    }
    const client = this.#client();
    this.#waiters.add(client);
    return this.#connect(client);
  }

  #client(): pg.Client {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: LOCK_APPLICATION_NAME,
      options: SERVER_KEEPALIVE,
      keepAlive: true,
      keepAliveInitialDelayMillis: CLIENT_KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // A dead connection took its locks with it; it must never be used again.
    client.on("error", () => this.#destroy(client));
    client.on("end", () => this.#destroy(client));
    this.#open.add(client);
    return client;
  }

  async #connect(client: pg.Client): Promise<pg.Client> {
    try {
      await client.connect();
    } catch (error) {
      this.#destroy(client);
      throw new SessionLockUnavailableError("database", this.#options.maxConnections, error);
    }
    return client;
  }

  /**
   * One short query's `answer` column, sent after the connection's earlier ones answered (pg
   * deprecates overlapping queries on one client; the shared connection gets many at once).
   * A connection silent past the grace is destroyed.
   */
  #ask(client: pg.Client, query: string): Promise<unknown> {
    const asked = (this.#asking.get(client) ?? Promise.resolve()).then(() =>
      this.#send(client, query),
    );
    this.#asking.set(
      client,
      asked.then(
        () => undefined,
        () => undefined,
      ),
    );
    return asked;
  }

  async #send(client: pg.Client, query: string): Promise<unknown> {
    if (!this.#open.has(client)) throw new Error("the lock connection was closed");
    const silent = setTimeout(() => this.#destroy(client), ANSWER_GRACE_MS);
    try {
      const result = await client.query(query);
      return result.rows[0]?.answer;
    } finally {
      clearTimeout(silent);
    }
  }

  #unavailable(error: unknown): Error {
    return error instanceof SessionLockUnavailableError
      ? error
      : new SessionLockUnavailableError("database", this.#options.maxConnections, error);
  }

  /**
   * Waits in Postgres' queue for the lock on a waiter connection, up to `waitMs` (> 0, as
   * `lock_timeout`). Resolves once held; rejects with `SessionBusyError` past the wait, the
   * signal's reason at once on abort (the waiting query is cancelled behind it). `done` runs
   * once the connection is back in a known state (idle, or destroyed) when the lock was not
   * taken.
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
    const query = client.query(`set lock_timeout = ${waitMs}; select pg_advisory_lock(${id})`);
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
        () => {
          settle();
          if (left) {
            // Granted just as the request left: closing the connection frees the lock.
            this.#destroy(client);
            done();
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
          if (code === LOCK_NOT_AVAILABLE) {
            reject(new SessionBusyError(sessionId, this.#options.waitMs));
          } else {
            reject(this.#unavailable(error));
          }
        },
      );
      this.#track(outcome);
    });
  }

  /**
   * Unlocks, or destroys the connection (losing every lock on it): never keeps a connection
   * whose locks are unknown. Until the unlock answers the lease counts as held, so the
   * connection's death is reported as its loss.
   */
  async #unlock(client: pg.Client, id: string, lease: AbortController): Promise<void> {
    // Its connection is gone, and the loss was reported when it went.
    if (!this.#open.has(client)) return;
    let unlocked = false;
    try {
      unlocked = (await this.#ask(client, `select pg_advisory_unlock(${id}) as answer`)) === true;
    } catch {
      // Destroyed below, which reports the loss.
    }
    const leases = this.#held.get(client);
    // False: the lock was already gone with an earlier connection loss.
    if (!unlocked || leases === undefined) {
      this.#destroy(client);
      return;
    }
    leases.delete(lease);
    if (leases.size === 0) {
      this.#held.delete(client);
      if (this.#waiters.has(client)) this.#giveBack(client);
    }
  }

  #giveBack(client: pg.Client): void {
    if (!this.#open.has(client)) return;
    if (this.#idle.length < MAX_IDLE_WAITERS) this.#idle.push(client);
    else this.#destroy(client);
  }

  /** Drops a connection for good; the server frees whatever it held when the socket closes. */
  #destroy(client: pg.Client): void {
    if (!this.#open.delete(client)) return;
    this.#waiters.delete(client);
    if (this.#shared?.client === client) this.#shared = undefined;
    const index = this.#idle.indexOf(client);
    if (index !== -1) this.#idle.splice(index, 1);
    const lost = this.#held.get(client) ?? new Set<AbortController>();
    this.#held.delete(client);
    for (const lease of lost) this.#lose(lease);
    // end() waits for the server's goodbye; a dead peer gets the socket destroyed under it.
    void client.end().catch(() => {});
  }

  /** A held lock is gone with its connection: the run holding it must stop (`lease.lost`). */
  #lose(lease: AbortController): void {
    this.#options.onLost?.();
    lease.abort(new SessionLockUnavailableError("lost", this.#options.maxConnections));
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
