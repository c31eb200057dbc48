import { defineTool, z } from "@agentllm/sdk";
import { DriveHttpError, driveJson } from "../drive-client.ts";
import { asDriveUser, type DriveSettings, explainDriveError } from "../drive-session.ts";

/** The most files one search returns: enough to pick from, small enough to read. */
export const MAX_FIND_LIMIT = 25;
export const DEFAULT_FIND_LIMIT = 10;
/** Words of a file name, not a document's text. */
export const MAX_QUERY_CHARS = 100;

const TYPES: Readonly<Record<string, string>> = {
  "application/vnd.google-apps.document": "Google Doc",
  "application/vnd.google-apps.spreadsheet": "Google Sheet",
  "application/vnd.google-apps.presentation": "Google Slides",
  "application/vnd.google-apps.folder": "folder",
  "application/pdf": "PDF",
};

interface ListedFile {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly mimeType?: unknown;
  readonly webViewLink?: unknown;
  readonly modifiedTime?: unknown;
}

/** A string in Drive's query language: single quotes, with `\` and `'` escaped. */
export function driveString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export function findFilesTool(settings: DriveSettings) {
  return defineTool({
    description:
      "Finds files in the user's Google Drive whose name contains the query's words (Drive matches the start of words in names, not document text). Returns names, types, links and ids, newest first as Drive orders them; read one with get_document_content.",
    status: "Searching Google Drive…",
    parameters: z.object({
      query: z
        .string()
        .trim()
        .min(1, "give a word of the file's name")
        .max(MAX_QUERY_CHARS, `a query is at most ${MAX_QUERY_CHARS} characters`)
        .describe("Words of the file's name, such as 'team mapping'."),
      limit: z
        .number()
        .int()
        .min(1)
        .max(MAX_FIND_LIMIT)
        .default(DEFAULT_FIND_LIMIT)
        .describe(
          `How many files at most (1 to ${MAX_FIND_LIMIT}, default ${DEFAULT_FIND_LIMIT}).`,
        ),
    }),
    async execute({ query, limit }, ctx) {
      try {
        return await asDriveUser(ctx, settings, async (request) => {
          const body = (await driveJson(
            "files",
            {
              q: `name contains ${driveString(query)} and trashed = false`,
              pageSize: String(limit),
              fields: "nextPageToken,files(id,name,mimeType,webViewLink,modifiedTime)",
              orderBy: "modifiedTime desc",
              supportsAllDrives: "true",
              includeItemsFromAllDrives: "true",
            },
            request,
          )) as { files?: unknown; nextPageToken?: unknown };
          const files = (Array.isArray(body.files) ? (body.files as ListedFile[]) : [])
            .slice(0, limit)
            .map((file) => ({
              name: text(file.name),
              type: TYPES[text(file.mimeType)] ?? text(file.mimeType),
              link: text(file.webViewLink),
              id: text(file.id),
              modified: text(file.modifiedTime),
            }));
          return {
            files,
            ...(files.length === 0
              ? { note: `No file name in the user's Drive contains '${query}'.` }
              : {}),
            ...(typeof body.nextPageToken === "string"
              ? {
                  more: `More files match; these are the first ${files.length}. Use more specific words.`,
                }
              : {}),
          };
        });
      } catch (error) {
        if (!(error instanceof DriveHttpError)) throw error;
        throw new Error(explainDriveError(error, `the search for '${query}'`));
      }
    },
  });
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}
