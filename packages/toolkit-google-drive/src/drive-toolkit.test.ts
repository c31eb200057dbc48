import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type ToolCredential,
} from "@agentllm/sdk";
import {
  DRIVE_MIME,
  type FakeDrive,
  type FakeDriveFile,
  type FakeGoogle,
  type FakeGoogleGrant,
  grantFromFakeGoogle,
  seedDriveFiles,
  startFakeDrive,
  startFakeGoogle,
} from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGoogleDriveToolkit, type GoogleDriveToolkitOptions } from "./drive-toolkit.ts";
import { MAX_FIND_LIMIT } from "./tools/find-files.ts";
import { MAX_DOCUMENT_BYTES, MAX_DOCUMENT_CHARS } from "./tools/get-document-content.ts";

const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const seed = seedDriveFiles();
const byName = (name: string) => seed.find((f) => f.name === name) as FakeDriveFile;
const teamMapping = byName("Team mapping");
const workbook = byName("Release workbook 2026");
const review = byName("Quarterly review Q3");

/**
 * The runtime's credential view of a Google grant, as it acts: `get()` hands out the current
 * access token, `get({ refresh: true })` a new one from the refresh token, `rejected` forgets.
 */
function credentialOf(grant: FakeGoogleGrant | undefined, refresh?: () => Promise<string>) {
  const log = { refreshes: 0, rejections: [] as string[] };
  let accessToken = grant?.accessToken;
  const credential: ToolCredential = {
    connected: async () => grant !== undefined,
    get: async (options) => {
      if (!grant || accessToken === undefined) throw new CredentialRequiredError("google_drive");
      if (options?.refresh) {
        log.refreshes++;
        accessToken = await (refresh ?? grant.refresh)();
      }
      return { accessToken, email: grant.email };
    },
    rejected: async (reason) => {
      log.rejections.push(reason);
      throw new CredentialRequiredError("google_drive", reason);
    },
  };
  return { credential, log };
}

function contextWith(credential: ToolCredential): ToolContext {
  return {
    userId: "ada",
    sessionId: undefined,
    signal: new AbortController().signal,
    logger: quiet,
    settings: { get: async () => undefined, set: async () => {}, delete: async () => {} },
    credential,
  };
}

/** The parts of the tools' results these tests look at. */
type ToolValue = { readonly [key: string]: unknown } & {
  readonly content?: string;
  readonly files?: ReadonlyArray<Readonly<Record<string, string>>>;
};

type ToolName = "get_document_content" | "get_user_info" | "find_files";

async function run(
  options: GoogleDriveToolkitOptions,
  name: ToolName,
  args: Record<string, unknown>,
  credential: ToolCredential,
) {
  const tool = createGoogleDriveToolkit(options).tools[name];
  const parsed = tool.parameters.parse(args);
  return Promise.resolve(tool.execute(parsed as never, contextWith(credential))).then(
    (value) => ({ value: value as ToolValue, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error as Error }),
  );
}

describe("toolkit-google-drive against the fake Drive", () => {
  let google: FakeGoogle;
  let drive: FakeDrive;
  let grant: FakeGoogleGrant;
  const options = (): GoogleDriveToolkitOptions => ({
    baseUrl: () => drive.url,
    timeoutMs: 2_000,
  });
  const call = (name: ToolName, args: Record<string, unknown>, g: FakeGoogleGrant = grant) => {
    const { credential, log } = credentialOf(g);
    return run(options(), name, args, credential).then((result) => ({ ...result, log }));
  };

  beforeAll(async () => {
    google = await startFakeGoogle();
    drive = await startFakeDrive({ google });
    grant = await grantFromFakeGoogle(google);
  });
  afterAll(async () => {
    await drive.close();
    await google.close();
  });

  it("declares a read-only Google grant", () => {
    expect(createGoogleDriveToolkit().credential).toEqual({
      kind: "oauth2",
      provider: "google",
      title: "Google Drive",
      scopes: ["https://www.googleapis.com/auth/drive.readonly"],
    });
  });

  it("get_user_info names the connected account", async () => {
    const { value } = await call("get_user_info", {});
    expect(value).toEqual({ name: "Ada Lovelace", email: "ada@example.test" });
    expect(drive.requests.at(-1)?.authorization).toBe(`Bearer ${grant.accessToken}`);
  });

  it("sends its requests through ctx.fetch, the runtime's traced fetch", async () => {
    const seen: string[] = [];
    const { credential } = credentialOf(grant);
    const tool = createGoogleDriveToolkit(options()).tools.get_document_content;
    const ctx: ToolContext = {
      ...contextWith(credential),
      fetch: (input, init) => {
        seen.push(new URL(input).pathname);
        return fetch(input, init);
      },
    };
    await tool.execute(tool.parameters.parse({ url_or_id: teamMapping.id }) as never, ctx);
    expect(seen).toEqual(
      expect.arrayContaining([
        `/drive/v3/files/${teamMapping.id}`,
        `/drive/v3/files/${teamMapping.id}/export`,
      ]),
    );
  });

  it("reads a Doc by its link as Markdown", async () => {
    const { value } = await call("get_document_content", {
      url_or_id: `https://docs.google.com/document/d/${teamMapping.id}/edit?tab=t.0`,
    });
    expect(drive.requests.at(-1)?.query.mimeType).toBe("text/markdown");
    expect(value).toMatchObject({
      title: "Team mapping",
      type: "Google Doc",
      format: "text/markdown",
      link: `https://docs.google.com/document/d/${teamMapping.id}/edit?usp=drivesdk`,
      modified: teamMapping.modifiedTime,
    });
    expect(value?.content).toContain("| Core | Backend | DEMO | Dana Reyes |");
    expect(value?.truncated).toBeUndefined();
  });

  it("reads a Sheet as CSV (first sheet) and Slides as text, by id", async () => {
    const sheet = await call("get_document_content", { url_or_id: workbook.id });
    expect(sheet.value).toMatchObject({ type: "Google Sheet", format: "text/csv" });
    expect(sheet.value?.content).toContain("4.4,2026-12-08,2026-12-22,Lin Park,Planned");
    expect(sheet.value?.note).toContain("first sheet");
    const slides = await call("get_document_content", { url_or_id: review.id });
    expect(slides.value).toMatchObject({ type: "Google Slides", format: "text/plain" });
    expect(slides.value?.content?.startsWith("Quarterly review Q3")).toBe(true);
  });

  it("says plainly what it cannot read: a PDF, an unshared file, a bad link", async () => {
    const pdf = await call("get_document_content", {
      url_or_id: byName("Architecture overview.pdf").id,
    });
    expect(pdf.error?.message).toContain("is a application/pdf file, not a Google Doc");
    const foreign = byName("Salary bands");
    const hidden = await call("get_document_content", { url_or_id: foreign.id });
    expect(hidden.error?.message).toBe(
      `the file ${foreign.id} does not exist, or the user's Google account cannot see it (404): check the link, or ask the owner to share it with the user.`,
    );
    const bad = await call("get_document_content", { url_or_id: "https://example.com/d/abc" });
    expect(bad.error?.message).toContain("example.com is not Google Drive");
  });

  it("find_files finds non-trashed files by name, with links, bounded by limit", async () => {
    const { value } = await call("find_files", { query: "team" });
    expect(value?.files?.map((f) => f.name)).toEqual(["Team mapping", "Team offsite notes"]);
    expect(value?.files?.[0]).toEqual({
      name: "Team mapping",
      type: "Google Doc",
      link: `https://docs.google.com/document/d/${teamMapping.id}/edit?usp=drivesdk`,
      id: teamMapping.id,
      modified: teamMapping.modifiedTime,
    });
    const request = drive.requests.at(-1);
    expect(request?.query.q).toBe("name contains 'team' and trashed = false");
    expect(request?.query.pageSize).toBe("10");
    const one = await call("find_files", { query: "team", limit: 1 });
    expect(one.value?.files).toHaveLength(1);
    expect(one.value?.more).toContain("More files match");
    const none = await call("find_files", { query: "it's \\ odd" });
    expect(drive.requests.at(-1)?.query.q).toBe(
      "name contains 'it\\'s \\\\ odd' and trashed = false",
    );
    expect(none.value).toEqual({
      files: [],
      note: "No file name in the user's Drive contains 'it's \\ odd'.",
    });
  });

  it(`find_files takes a limit of 1 to ${MAX_FIND_LIMIT}`, () => {
    const tool = createGoogleDriveToolkit().tools.find_files;
    expect(tool.parameters.safeParse({ query: "x", limit: MAX_FIND_LIMIT }).success).toBe(true);
    expect(tool.parameters.safeParse({ query: "x", limit: MAX_FIND_LIMIT + 1 }).success).toBe(
      false,
    );
    expect(tool.parameters.safeParse({ query: "x", limit: 0 }).success).toBe(false);
    expect(tool.parameters.safeParse({ query: "x".repeat(100) }).success).toBe(true);
    expect(tool.parameters.safeParse({ query: "x".repeat(101) }).success).toBe(false);
    expect(tool.parameters.safeParse({ query: "  " }).success).toBe(false);
  });

  it("after a 401 gets a fresh token once and retries", async () => {
    const own = await grantFromFakeGoogle(google);
    google.expireAccessTokens();
    const { value, log } = await call("get_user_info", {}, own);
    expect(value).toEqual({ name: "Ada Lovelace", email: "ada@example.test" });
    expect(log).toEqual({ refreshes: 1, rejections: [] });
    const statuses = drive.requests.slice(-2).map((r) => r.status);
    expect(statuses).toEqual([401, 200]);
  });

  it("hands the grant back (rejected) when the fresh token is refused too", async () => {
    const own = await grantFromFakeGoogle(google);
    google.expireAccessTokens();
    const { credential, log } = credentialOf(own, async () => "ya29.also-refused");
    const { error } = await run(options(), "find_files", { query: "team" }, credential);
    expect(error).toBeInstanceOf(CredentialRequiredError);
    expect(log).toEqual({
      refreshes: 1,
      rejections: ["Google Drive no longer accepts the grant (401)"],
    });
  });

  it("hands the grant back when it lacks Drive's read scope (403 insufficientPermissions)", async () => {
    const metadataOnly = await grantFromFakeGoogle(google, {
      scope: "openid https://www.googleapis.com/auth/drive.metadata.readonly",
    });
    const { error, log } = await call(
      "get_document_content",
      { url_or_id: review.id },
      metadataOnly,
    );
    expect(error).toBeInstanceOf(CredentialRequiredError);
    expect(log.rejections).toEqual([
      "the Google grant does not include read access to Drive (403 insufficientPermissions)",
    ]);
  });

  it("asks to connect when the user has not", async () => {
    const { credential } = credentialOf(undefined);
    const { error } = await run(options(), "get_user_info", {}, credential);
    expect(error).toBeInstanceOf(CredentialRequiredError);
  });

  it("turns rate limits, outages and timeouts into clear tool errors", async () => {
    drive.failNext({ status: 429, retryAfterSeconds: 30 });
    expect((await call("get_user_info", {})).error?.message).toBe(
      "Google Drive is limiting requests (429 rateLimitExceeded); retry after 30 seconds, or tell the user to try again then.",
    );
    drive.failNext({ status: 403, reason: "userRateLimitExceeded" });
    expect((await call("find_files", { query: "team" })).error?.message).toBe(
      "Google Drive is limiting requests (403 userRateLimitExceeded); retry after a minute, or tell the user to try again then.",
    );
    drive.failNext({ status: 503 });
    expect((await call("get_user_info", {})).error?.message).toBe(
      "Google Drive answered 503 for the user's account; it may be unavailable, try again later.",
    );
    drive.failNext("hang");
    const { credential } = credentialOf(grant);
    const slow = await run({ ...options(), timeoutMs: 200 }, "get_user_info", {}, credential);
    expect(slow.error?.message).toBe("Google Drive did not answer within 0.2 s");
  });

  it("names a broken or insecure GOOGLE_DRIVE_BASE_URL", async () => {
    const { credential } = credentialOf(grant);
    for (const baseUrl of ["ftp://drive.example.test", "http://drive.example.test"]) {
      const { error } = await run({ baseUrl: () => baseUrl }, "get_user_info", {}, credential);
      expect(error?.message).toBe(
        "GOOGLE_DRIVE_BASE_URL must be an https URL (http only for a loopback address)",
      );
    }
    const { error } = await run({ baseUrl: () => "not a url" }, "get_user_info", {}, credential);
    expect(error?.message).toBe("GOOGLE_DRIVE_BASE_URL is not a URL; ask the operator to fix it");
  });
});

describe("toolkit-google-drive size bounds", () => {
  let google: FakeGoogle;
  let drive: FakeDrive;
  let grant: FakeGoogleGrant;
  const doc = (id: string, markdown: string): FakeDriveFile => ({
    id,
    name: id,
    mimeType: DRIVE_MIME.document,
    readers: ["ada@example.test"],
    createdTime: "2026-01-01T00:00:00.000Z",
    modifiedTime: "2026-01-01T00:00:00.000Z",
    exports: { "text/markdown": markdown },
  });
  beforeAll(async () => {
    google = await startFakeGoogle();
    drive = await startFakeDrive({
      google,
      exportLimitBytes: 300_000,
      files: [
        doc("docAtTheLimit", "a".repeat(MAX_DOCUMENT_CHARS)),
        doc("docPastTheLimit", "a".repeat(MAX_DOCUMENT_CHARS + 1)),
        // One letter, then emoji (two UTF-16 units each): the cut falls inside one.
        doc("docOfEmoji", `a${"😀".repeat(MAX_DOCUMENT_CHARS / 2)}`),
        // More bytes than the toolkit reads of an export.
        doc("docPastTheReadLimit", "a".repeat(MAX_DOCUMENT_BYTES + 10)),
        doc("docTooLargeToExport", "a".repeat(300_001)),
      ],
    });
    grant = await grantFromFakeGoogle(google);
  });
  afterAll(async () => {
    await drive.close();
    await google.close();
  });
  const read = (id: string) => {
    const { credential } = credentialOf(grant);
    return run({ baseUrl: () => drive.url }, "get_document_content", { url_or_id: id }, credential);
  };

  it(`returns a document of ${MAX_DOCUMENT_CHARS} characters whole`, async () => {
    const { value } = await read("docAtTheLimit");
    expect(value?.content).toHaveLength(MAX_DOCUMENT_CHARS);
    expect(value?.truncated).toBeUndefined();
  });

  it("cuts a longer one and says so", async () => {
    const { value } = await read("docPastTheLimit");
    expect(value?.content).toHaveLength(MAX_DOCUMENT_CHARS);
    expect(value?.truncated).toContain(`longer than ${MAX_DOCUMENT_CHARS} characters`);
  });

  it("never cuts a character in two", async () => {
    const { value } = await read("docOfEmoji");
    const content = value?.content as string;
    expect(value?.truncated).toBeDefined();
    expect(content).toBe(`a${"😀".repeat(MAX_DOCUMENT_CHARS / 2 - 1)}`);
  });

  it(`reads at most ${MAX_DOCUMENT_BYTES} bytes of an export`, async () => {
    const { value } = await read("docPastTheReadLimit");
    expect(value?.content).toHaveLength(MAX_DOCUMENT_CHARS);
    expect(value?.truncated).toBeDefined();
    expect(drive.requests.at(-1)?.path).toBe("/drive/v3/files/docPastTheReadLimit/export");
  });

  it("explains Google's export size limit", async () => {
    const { error } = await read("docTooLargeToExport");
    expect(error?.message).toBe(
      "the file docTooLargeToExport is too large for Google to export (over 10 MB); ask the user to share a smaller part.",
    );
  });
});
