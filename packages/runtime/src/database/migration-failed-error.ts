/** A schema migration failed while opening the database; the runtime must not start. */
export class MigrationFailedError extends Error {
  override readonly name = "MigrationFailedError";
  constructor(
    /** The migration that threw; undefined when kysely failed before running one. */
    readonly migrationName: string | undefined,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      migrationName === undefined
        ? `database migrations failed: ${reason}`
        : `database migration "${migrationName}" failed: ${reason}`,
      options,
    );
  }
}
