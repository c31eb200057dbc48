import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DriveQueryError,
  type FieldSelection,
  parseDriveQuery,
  parseFields,
  pick,
} from "./drive-query.ts";
import { DRIVE_MIME, type FakeDriveFile, seedDriveFiles } from "./drive-seed.ts";
import type { FakeGoogle } from "./server.ts";

const SCOPE = "https://www.googleapis.com/auth/";
/** Scopes that may read metadata; only the first two may read content (export). */
const CONTENT_SCOPES = [`${SCOPE}drive`, `${SCOPE}drive.readonly`];
const METADATA_SCOPES = [
  ...CONTENT_SCOPES,
  `${SCOPE}drive.metadata.readonly`,
  `${SCOPE}drive.metadata`,
];

/** Google refuses to export a Docs Editors file larger than this (10 MB). */
export const DRIVE_EXPORT_LIMIT_BYTES = 10 * 1024 * 1024;
/** files.list: Drive's default and largest `pageSize`. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export interface FakeDriveOptions {
  /** The fake Google that issued the access tokens (checks them and their scopes). */
  google: Pick<FakeGoogle, "userFor" | "scopesFor">;
  /** Default: {@link seedDriveFiles}. */
  files?: FakeDriveFile[];
  /** Default {@link DRIVE_EXPORT_LIMIT_BYTES}; a test sets a small one to reach it. */
  exportLimitBytes?: number;
  port?: number;
  host?: string;
}

export interface RecordedDriveRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization: string | undefined;
  status?: number;
}

/** What the next request meets instead of an answer: an error status, or no answer at all. */
export type DriveFault =
  | { readonly status: 429 | 500 | 503; readonly retryAfterSeconds?: number }
  | { readonly status: 403; readonly reason: "userRateLimitExceeded" | "rateLimitExceeded" }
  | "hang";

export interface FakeDrive {
  /** The base URL a client sets as `GOOGLE_DRIVE_BASE_URL` (`/drive/v3/...` below it). */
  readonly url: string;
  readonly files: FakeDriveFile[];
  readonly requests: readonly RecordedDriveRequest[];
  /** The next request (only that one) meets this fault. */
  failNext(fault: DriveFault): void;
  close(): Promise<void>;
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

export async function startFakeDrive(options: FakeDriveOptions): Promise<FakeDrive> {
  const files = options.files ?? seedDriveFiles();
  const exportLimit = options.exportLimitBytes ?? DRIVE_EXPORT_LIMIT_BYTES;
  const requests: RecordedDriveRequest[] = [];
  const faults: DriveFault[] = [];
  let base = "";

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      res.destroy();
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    const recorded: RecordedDriveRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    };
    requests.push(recorded);
    const send: Send = (status, body, headers = {}) => {
      recorded.status = status;
      const isText = typeof body === "string";
      res
        .writeHead(status, {
          "content-type": isText
            ? (headers["content-type"] ?? "text/plain")
            : "application/json; charset=UTF-8",
          ...headers,
        })
        .end(isText ? body : JSON.stringify(body, null, 2));
    };

    const fault = faults.shift();
    if (fault === "hang") return; // the socket stays open until the client gives up or close()
    if (fault !== undefined) return sendFault(fault, send);

    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const user = options.google.userFor(token);
    if (!user) {
      return send(
        401,
        googleError(
          401,
          "authError",
          "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
          {
            status: "UNAUTHENTICATED",
            location: "Authorization",
            locationType: "header",
            message: "Invalid Credentials",
          },
        ),
        {
          "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        },
      );
    }
    const scopes = options.google.scopesFor(token);
    const may = (needed: readonly string[]) => scopes.some((s) => needed.includes(s));
    if (!may(METADATA_SCOPES)) return insufficient(send);

    let fields: FieldSelection | undefined;
    try {
      const raw = url.searchParams.get("fields");
      fields = raw === null ? undefined : parseFields(raw);
    } catch {
      return send(400, invalid("fields", "Invalid field selection"));
    }

    if (req.method !== "GET") {
      return send(405, googleError(405, "httpMethodNotAllowed", "Method Not Allowed"));
    }
    const path = url.pathname;
    if (path === "/drive/v3/about") {
      if (!fields) {
        return send(
          400,
          googleError(400, "required", "The 'fields' parameter is required for this operation.", {
            location: "fields",
            locationType: "parameter",
          }),
        );
      }
      const about = {
        kind: "drive#about",
        user: {
          kind: "drive#user",
          displayName: user.name,
          me: true,
          permissionId: user.sub,
          emailAddress: user.email,
        },
      };
      return send(200, pick(about, fields));
    }
    if (path === "/drive/v3/files") return list(url.searchParams, user.email, fields, send);
    const match = /^\/drive\/v3\/files\/([^/]+)(\/export)?$/.exec(path);
    if (match) {
      const id = decodeURIComponent(match[1] as string);
      const file = files.find((f) => f.id === id && f.readers.includes(user.email));
      if (!file) {
        return send(
          404,
          googleError(404, "notFound", `File not found: ${id}.`, {
            location: "fileId",
            locationType: "parameter",
          }),
        );
      }
      if (!match[2])
        return send(200, pick(resource(file, user.email), fields ?? DEFAULT_FILE_FIELDS));
      if (!may(CONTENT_SCOPES)) return insufficient(send);
      return exportFile(file, url.searchParams.get("mimeType"), send);
    }
    send(404, "Not Found", { "content-type": "text/html; charset=UTF-8" });
  }

  function list(
    params: URLSearchParams,
    email: string,
    fields: FieldSelection | undefined,
    send: Send,
  ) {
    let filter: (file: FakeDriveFile) => boolean;
    try {
      filter = parseDriveQuery(params.get("q") ?? "");
    } catch (error) {
      if (error instanceof DriveQueryError) return send(400, invalid("q"));
      throw error;
    }
    const rawSize = params.get("pageSize");
    const pageSize = rawSize === null ? DEFAULT_PAGE_SIZE : Number(rawSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return send(
        400,
        invalid(
          "pageSize",
          `Invalid value '${rawSize}'. Values must be within the range: [1, 1000]`,
        ),
      );
    }
    let offset = 0;
    const pageToken = params.get("pageToken");
    if (pageToken !== null) {
      offset = Number(Buffer.from(pageToken, "base64url").toString());
      if (!Number.isInteger(offset) || offset < 0) return send(400, invalid("pageToken"));
    }
    const order = sortOf(params.get("orderBy"));
    if (order === undefined) return send(400, invalid("orderBy", "Invalid Value"));
    const matching = files.filter((f) => f.readers.includes(email) && filter(f)).sort(order);
    const page = matching.slice(offset, offset + pageSize);
    const next = offset + pageSize < matching.length ? offset + pageSize : undefined;
    const body = {
      ...(next !== undefined
        ? { nextPageToken: Buffer.from(String(next)).toString("base64url") }
        : {}),
      kind: "drive#fileList",
      incompleteSearch: false,
      files: page.map((f) => resource(f, email)),
    };
    send(200, pick(body, fields ?? DEFAULT_LIST_FIELDS));
  }

  function exportFile(file: FakeDriveFile, mimeType: string | null, send: Send) {
    if (!file.mimeType.startsWith("application/vnd.google-apps.")) {
      return send(
        403,
        googleError(403, "fileNotExportable", "Export only supports Docs Editors files."),
      );
    }
    if (!mimeType) {
      return send(
        400,
        googleError(400, "required", "Required parameter: mimeType", {
          location: "mimeType",
          locationType: "parameter",
        }),
      );
    }
    const content = file.exports?.[mimeType];
    if (content === undefined) {
      return send(
        400,
        googleError(400, "badRequest", "The requested conversion is not supported.", {
          location: "convertTo",
          locationType: "parameter",
        }),
      );
    }
    if (Buffer.byteLength(content) > exportLimit) {
      return send(
        403,
        googleError(403, "exportSizeLimitExceeded", "This file is too large to be exported."),
      );
    }
    send(200, content, { "content-type": `${mimeType}; charset=utf-8` });
  }

  function sendFault(fault: Exclude<DriveFault, "hang">, send: Send) {
    if (fault.status === 403) {
      return send(
        403,
        googleError(403, fault.reason, "User rate limit exceeded.", { domain: "usageLimits" }),
      );
    }
    if (fault.status === 429) {
      return send(
        429,
        googleError(429, "rateLimitExceeded", "Rate limit exceeded.", {
          domain: "usageLimits",
          status: "RESOURCE_EXHAUSTED",
        }),
        fault.retryAfterSeconds !== undefined
          ? { "retry-after": String(fault.retryAfterSeconds) }
          : {},
      );
    }
    send(fault.status, googleError(fault.status, "backendError", "Backend Error"));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  base = `http://${address.address}:${address.port}`;

  return {
    url: base,
    files,
    requests,
    failNext(fault) {
      faults.push(fault);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Order = (a: FakeDriveFile, b: FakeDriveFile) => number;

/**
 * `orderBy`: keys `createdTime`, `modifiedTime`, `name`, each optionally ` desc`, comma
 * separated (a subset of Drive's); undefined for anything else. None keeps the seed's order.
 */
function sortOf(orderBy: string | null): Order | undefined {
  if (orderBy === null || orderBy.trim() === "") return () => 0;
  const keys: Order[] = [];
  for (const part of orderBy.split(",")) {
    const [key, direction, extra] = part.trim().split(/\s+/);
    if (extra !== undefined || (direction !== undefined && direction !== "desc")) return undefined;
    if (key !== "createdTime" && key !== "modifiedTime" && key !== "name") return undefined;
    const sign = direction === "desc" ? -1 : 1;
    keys.push((a, b) => sign * a[key].localeCompare(b[key]));
  }
  return (a, b) => {
    for (const compare of keys) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  };
}

/** What Drive returns without `fields`. */
const DEFAULT_FILE_FIELDS = parseFields("kind,id,name,mimeType");
const DEFAULT_LIST_FIELDS = parseFields(
  "nextPageToken,kind,incompleteSearch,files(kind,id,name,mimeType)",
);

function resource(file: FakeDriveFile, email: string) {
  const owner = file.readers[0] ?? "";
  return {
    kind: "drive#file",
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    trashed: file.trashed ?? false,
    createdTime: file.createdTime,
    modifiedTime: file.modifiedTime,
    webViewLink: webViewLink(file),
    ownedByMe: owner === email,
    owners: [{ kind: "drive#user", emailAddress: owner, me: owner === email }],
  };
}

function webViewLink(file: FakeDriveFile): string {
  const docs = "https://docs.google.com";
  switch (file.mimeType) {
    case DRIVE_MIME.document:
      return `${docs}/document/d/${file.id}/edit?usp=drivesdk`;
    case DRIVE_MIME.spreadsheet:
      return `${docs}/spreadsheets/d/${file.id}/edit?usp=drivesdk`;
    case DRIVE_MIME.presentation:
      return `${docs}/presentation/d/${file.id}/edit?usp=drivesdk`;
    default:
      return `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`;
  }
}

interface ErrorDetail {
  status?: string;
  domain?: string;
  location?: string;
  locationType?: string;
  message?: string;
}

/** Google's JSON error: `{"error": {code, message, errors: [{message, domain, reason, …}], status}}`. */
function googleError(code: number, reason: string, message: string, detail: ErrorDetail = {}) {
  return {
    error: {
      code,
      message,
      errors: [
        {
          message: detail.message ?? message,
          domain: detail.domain ?? "global",
          reason,
          ...(detail.location ? { location: detail.location } : {}),
          ...(detail.locationType ? { locationType: detail.locationType } : {}),
        },
      ],
      ...(detail.status ? { status: detail.status } : {}),
    },
  };
}

function invalid(location: string, message = "Invalid Value") {
  return googleError(400, "invalid", message, { location, locationType: "parameter" });
}

function insufficient(send: Send) {
  send(
    403,
    googleError(403, "insufficientPermissions", "Request had insufficient authentication scopes.", {
      status: "PERMISSION_DENIED",
      message: "Insufficient Permission",
    }),
  );
}
