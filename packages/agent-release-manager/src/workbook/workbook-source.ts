import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type ToolCredential,
} from "@agentllm/sdk";
import {
  asDriveUser,
  DocumentRefError,
  DriveHttpError,
  type DriveSettings,
  DriveUnavailableError,
  documentIdOf,
  driveGet,
  driveJson,
} from "@agentllm/toolkit-google-drive";
import { LRUCache } from "lru-cache";
import { applySheet, SheetFormatError } from "./apply-sheet.ts";
import { DEFAULT_WORKBOOK } from "./default-workbook.ts";
import type { Workbook } from "./workbook-schema.ts";

/** The Sheet that overrides the shipped workbook: a Google Sheets link or a Drive file id. */
export const SHEET_URL_VARIABLE = "RELEASE_MANAGER_SYSTEM_PROMPT_GDRIVE_URL";
export const TTL_VARIABLE = "RELEASE_MANAGER_WORKBOOK_TTL_SECONDS";
export const WAIT_VARIABLE = "RELEASE_MANAGER_WORKBOOK_WAIT_MS";

/** How long a user's copy of the Sheet is used before Drive is asked whether it changed. */
export const DEFAULT_TTL_SECONDS = 300;
export const MAX_TTL_SECONDS = 86_400;
/** The longest a tool waits on Drive before answering from the last good copy or the defaults. */
export const DEFAULT_WAIT_MS = 3_000;
export const MIN_WAIT_MS = 100;
export const MAX_WAIT_MS = 15_000;
/** After a failed read, Drive is not asked again for this long (or the TTL, if shorter). */
export const FAILURE_RETRY_MS = 60_000;
/** The largest Sheet export read: the shipped workbook is about 8 KB of CSV. */
export const MAX_SHEET_BYTES = 64 * 1024;
/** Users whose copy is kept (least recently used go first): at most ~6 MiB of Sheets. */
export const MAX_CACHED_USERS = 100;

const SPREADSHEET = "application/vnd.google-apps.spreadsheet";

export type WorkbookOrigin = "sheet" | "last good copy of the sheet" | "defaults";

/** The workbook a tool uses for this request, and where it came from. */
export interface EffectiveWorkbook {
  readonly workbook: Workbook;
  readonly source: WorkbookOrigin;
  /** One sentence on the source: which Sheet, or why the defaults or an older copy are used. */
  readonly note: string;
  /** Rows of the Sheet that were skipped, and why. */
  readonly problems?: readonly string[];
}

export interface WorkbookSourceOptions {
  /** Where the variables are read, when a tool runs; default `process.env`. */
  readonly env?: () => Readonly<Record<string, string | undefined>>;
  readonly drive?: DriveSettings;
  readonly now?: () => number;
  readonly maxUsers?: number;
}

interface SheetCopy {
  readonly workbook: Workbook;
  readonly problems: readonly string[];
  readonly name: string;
  /** `modifiedTime` and `version`: a copy is read again only when these change. */
  readonly revision: string;
  /** `modifiedTime`, for people: when the Sheet was last edited. */
  readonly modified: string;
  readonly readAt: number;
}

interface CacheEntry {
  readonly copy: SheetCopy | undefined;
  readonly checkedAt: number;
  readonly failedAt?: number;
  readonly failure?: string;
}

/** The grant was refused while reading the Sheet: the Drive tools, not the workbook, handle that. */
class GrantRefused extends Error {
  override readonly name = "GrantRefused";
}

/**
 * The effective workbook per user: the shipped one, overlaid with the team's Sheet read as the
 * requesting user. The copy is cached per user, not shared: Drive decides per account who may
 * read the Sheet, so one user's copy must never answer for another who may not see it. A read
 * never holds a reply back: past the wait, or when Drive fails, the user's last good copy or
 * the defaults answer, and the note says which.
 */
export class WorkbookSource {
  readonly #env: () => Readonly<Record<string, string | undefined>>;
  readonly #drive: DriveSettings;
  readonly #now: () => number;
  readonly #cache: LRUCache<string, CacheEntry>;
  readonly #reading = new Map<string, Promise<EffectiveWorkbook>>();

  constructor(options: WorkbookSourceOptions = {}) {
    this.#env = options.env ?? (() => process.env);
    this.#drive = options.drive ?? {};
    this.#now = options.now ?? Date.now;
    this.#cache = new LRUCache({ max: options.maxUsers ?? MAX_CACHED_USERS });
  }

  async forTool(ctx: ToolContext): Promise<EffectiveWorkbook> {
    const env = this.#env();
    const ref = env[SHEET_URL_VARIABLE]?.trim();
    if (!ref) return defaults("no team Sheet is configured; the built-in workbook is used");
    let fileId: string;
    try {
      fileId = documentIdOf(ref);
    } catch (error) {
      if (!(error instanceof DocumentRefError)) throw error;
      ctx.logger.warn({ variable: SHEET_URL_VARIABLE }, "release workbook: not a Sheet link");
      return defaults(`${SHEET_URL_VARIABLE} names no Sheet; the built-in workbook is used`);
    }
    if (ctx.userId === undefined) {
      return defaults("this request has no signed-in user, so the team's Sheet cannot be read");
    }
    if (!(await ctx.credential.connected())) {
      return defaults(
        "the user has not connected Google Drive, so the team's Sheet cannot be read and the built-in workbook is used; connecting Google Drive would use the team's",
      );
    }
    const ttlMs = bounded(env, TTL_VARIABLE, DEFAULT_TTL_SECONDS, 1, MAX_TTL_SECONDS, ctx.logger);
    const key = `${ctx.userId}\u0000${fileId}`;
    const entry = this.#cache.get(key);
    const now = this.#now();
    if (entry?.copy && entry.failedAt === undefined && now - entry.checkedAt < ttlMs * 1000) {
      return fromSheet(entry.copy);
    }
    if (
      entry?.failedAt !== undefined &&
      now - entry.failedAt < Math.min(ttlMs * 1000, FAILURE_RETRY_MS)
    ) {
      return fallback(entry.copy, entry.failure ?? "");
    }
    let reading = this.#reading.get(key);
    if (!reading) {
      const waitMs = bounded(
        env,
        WAIT_VARIABLE,
        DEFAULT_WAIT_MS,
        MIN_WAIT_MS,
        MAX_WAIT_MS,
        ctx.logger,
      );
      reading = this.#refresh(ctx, key, fileId, entry, waitMs).finally(() =>
        this.#reading.delete(key),
      );
      this.#reading.set(key, reading);
    }
    return reading;
  }

  async #refresh(
    ctx: ToolContext,
    key: string,
    fileId: string,
    entry: CacheEntry | undefined,
    waitMs: number,
  ): Promise<EffectiveWorkbook> {
    const previous = entry?.copy;
    try {
      const copy = await this.#read(ctx, fileId, previous, waitMs);
      this.#remember(key, { copy, checkedAt: this.#now() });
      if (copy !== previous) {
        ctx.logger.info(
          { source: "sheet", revision: copy.revision, skippedRows: copy.problems.length },
          "release workbook: read the team's Sheet",
        );
      }
      return fromSheet(copy);
    } catch (error) {
      const why = describeFailure(error, waitMs);
      this.#remember(key, {
        copy: previous,
        checkedAt: entry?.checkedAt ?? 0,
        failedAt: this.#now(),
        failure: why,
      });
      ctx.logger.warn(
        { source: previous ? "last good copy of the sheet" : "defaults", reason: why },
        "release workbook: the team's Sheet could not be read",
      );
      return fallback(previous, why);
    }
  }

  async #read(
    ctx: ToolContext,
    fileId: string,
    previous: SheetCopy | undefined,
    waitMs: number,
  ): Promise<SheetCopy> {
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(waitMs)]);
    // A refused grant is left to the Drive tools (they ask the user to connect again): a
    // background read of the workbook must not forget the user's grant nor end the run.
    const credential: ToolCredential = {
      ...ctx.credential,
      rejected: async (reason) => {
        throw new GrantRefused(reason);
      },
    };
    return asDriveUser(
      { ...ctx, signal, credential },
      { ...this.#drive, timeoutMs: waitMs },
      async (request) => {
        const file = (await driveJson(
          `files/${encodeURIComponent(fileId)}`,
          { fields: "id,name,mimeType,modifiedTime,version", supportsAllDrives: "true" },
          request,
        )) as { name?: string; mimeType?: string; modifiedTime?: string; version?: string };
        const revision = `${file.modifiedTime ?? ""}/${file.version ?? ""}`;
        if (previous && previous.revision === revision && revision !== "/") return previous;
        if (file.mimeType !== SPREADSHEET) {
          throw new SheetFormatError(`'${file.name ?? fileId}' is not a Google Sheet`);
        }
        const body = await driveGet(
          `files/${encodeURIComponent(fileId)}/export`,
          { mimeType: "text/csv" },
          request,
          { maxBytes: MAX_SHEET_BYTES, truncate: false },
        );
        const applied = applySheet(DEFAULT_WORKBOOK, body.text);
        return {
          workbook: applied.workbook,
          problems: applied.problems,
          name: file.name ?? fileId,
          revision,
          modified: file.modifiedTime ?? "unknown",
          readAt: this.#now(),
        };
      },
    );
  }

  #remember(key: string, entry: CacheEntry): void {
    this.#cache.set(key, entry);
  }
}

function defaults(note: string): EffectiveWorkbook {
  return { workbook: DEFAULT_WORKBOOK, source: "defaults", note };
}

function fromSheet(copy: SheetCopy): EffectiveWorkbook {
  return {
    workbook: copy.workbook,
    source: "sheet",
    note: `the team's Sheet '${copy.name}' (last modified ${copy.modified}) over the built-in workbook`,
    ...(copy.problems.length > 0 ? { problems: copy.problems } : {}),
  };
}

function fallback(copy: SheetCopy | undefined, why: string): EffectiveWorkbook {
  if (!copy)
    return defaults(`the team's Sheet could not be read (${why}); the built-in workbook is used`);
  return {
    workbook: copy.workbook,
    source: "last good copy of the sheet",
    note: `the team's Sheet could not be read now (${why}); the copy read at ${new Date(copy.readAt).toISOString()} is used`,
  };
}

/** Why a read failed, in words safe for the model and the logs (never a token). */
function describeFailure(error: unknown, waitMs: number): string {
  if (error instanceof SheetFormatError) return error.message;
  if (error instanceof DriveHttpError) {
    return `Google Drive answered ${error.status}${error.reason ? ` ${error.reason}` : ""}`;
  }
  if (error instanceof DriveUnavailableError) return error.message;
  if (error instanceof GrantRefused || error instanceof CredentialRequiredError) {
    return "Google Drive did not accept the user's grant";
  }
  const name = (error as Error | undefined)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return `Google Drive did not answer within ${waitMs / 1000} s`;
  }
  return "an unexpected error";
}

/** An integer variable within its bounds; a bad value is logged and the default used. */
function bounded(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallbackValue: number,
  min: number,
  max: number,
  logger: PluginLogger,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallbackValue;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  logger.warn(
    { variable: name, min, max, default: fallbackValue },
    "release workbook: variable out of range, default used",
  );
  return fallbackValue;
}
