/**
 * Options every store call accepts.
 *
 * `signal` is checked before the call touches the database and, for writes, again just before
 * the transaction commits: an aborted call throws the signal's reason and writes nothing.
 * A statement already running is not interrupted (kysely 0.28 has no cancellation, and a
 * SQLite statement is synchronous anyway), so abort is cheap but not instant.
 */
export interface QueryOptions {
  readonly signal?: AbortSignal;
}
