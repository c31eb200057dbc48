import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVE_MIME, seedDriveFiles } from "./drive-seed.ts";
import { type FakeDrive, startFakeDrive } from "./drive-server.ts";
import { type FakeGoogle, startFakeGoogle } from "./server.ts";
import { type FakeGoogleGrant, grantFromFakeGoogle } from "./test-grant.ts";

// Drive v3 as a client sees it over HTTP, with tokens from the fake Google's real OAuth flow.

const seed = seedDriveFiles();
const [teamMapping, workbook, review, offsite, pdf, trashed, foreign] = seed as [
  (typeof seed)[number],
  (typeof seed)[number],
  (typeof seed)[number],
  (typeof seed)[number],
  (typeof seed)[number],
  (typeof seed)[number],
  (typeof seed)[number],
];

/** The parts of Drive's JSON answers these tests look at. */
interface DriveBody {
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly status?: string;
    readonly errors: ReadonlyArray<{ readonly reason: string; readonly location?: string }>;
  };
  readonly files: ReadonlyArray<{
    readonly id: string;
    readonly name: string;
    readonly webViewLink?: string;
  }>;
  readonly nextPageToken?: string;
  readonly user?: unknown;
}

describe("fake Google Drive", () => {
  let google: FakeGoogle;
  let drive: FakeDrive;
  let grant: FakeGoogleGrant;
  beforeAll(async () => {
    google = await startFakeGoogle();
    drive = await startFakeDrive({ google });
    grant = await grantFromFakeGoogle(google);
  });
  afterAll(async () => {
    await drive.close();
    await google.close();
  });

  async function get(path: string, query: Record<string, string> = {}, token = grant.accessToken) {
    const url = new URL(`${drive.url}/drive/v3/${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    // Buffer keeps a byte order mark that response.text() would drop.
    const text = Buffer.from(await response.arrayBuffer()).toString("utf8");
    const type = response.headers.get("content-type") ?? "";
    return {
      status: response.status,
      headers: response.headers,
      body: type.startsWith("application/json") ? (JSON.parse(text) as DriveBody) : text,
    };
  }

  it("answers about.user, and wants fields", async () => {
    const about = await get("about", { fields: "user(displayName,emailAddress)" });
    expect(about).toMatchObject({
      status: 200,
      body: { user: { displayName: "Ada Lovelace", emailAddress: "ada@example.test" } },
    });
    expect(Object.keys(about.body as object)).toEqual(["user"]);
    const bare = await get("about");
    expect(bare.status).toBe(400);
    expect((bare.body as DriveBody).error.errors[0]?.reason).toBe("required");
  });

  it("lists with name contains (word prefix), mimeType and trashed clauses", async () => {
    const names = async (q: string) =>
      ((await get("files", { q })).body as DriveBody).files.map((f: { name: string }) => f.name);
    expect(await names("name contains 'team'")).toEqual([
      "Team mapping",
      offsite.name,
      "Team mapping (old)",
    ]);
    expect(await names("name contains 'team map' and trashed = false")).toEqual(["Team mapping"]);
    expect(await names("name contains 'apping'")).toEqual([]);
    // Every word must start a word of the name, in any order.
    expect(await names("name contains 'MAP team' and trashed = false")).toEqual(["Team mapping"]);
    expect(await names("name contains 'team notes'")).toEqual([offsite.name]);
    expect(await names(`mimeType = '${DRIVE_MIME.spreadsheet}'`)).toEqual([workbook.name]);
    expect(await names("name contains 'Salary'")).toEqual([]); // not shared with Ada
    expect(await names("name contains 'it\\'s'")).toEqual([]);
    const newest = await get("files", { q: "name contains 'team'", orderBy: "modifiedTime desc" });
    expect((newest.body as DriveBody).files.map((f) => f.name)).toEqual([
      "Team mapping",
      offsite.name,
      "Team mapping (old)",
    ]);
    const byName = await get("files", { q: "name contains 'team'", orderBy: "name desc" });
    expect((byName.body as DriveBody).files.map((f) => f.name)).toEqual([
      offsite.name,
      "Team mapping (old)",
      "Team mapping",
    ]);
    expect((await get("files", { orderBy: "size" })).status).toBe(400);
    const bad = await get("files", { q: "fullText contains 'x'" });
    expect(bad.status).toBe(400);
    expect((bad.body as DriveBody).error.errors[0]).toMatchObject({
      reason: "invalid",
      location: "q",
    });
  });

  it("pages with pageSize and pageToken, and keeps only the requested fields", async () => {
    const fields = "nextPageToken,files(id,name,webViewLink)";
    const first = await get("files", { q: "trashed = false", pageSize: "2", fields });
    const body = first.body as DriveBody;
    expect(body.files).toHaveLength(2);
    expect(Object.keys(body.files[0] ?? {})).toEqual(["id", "name", "webViewLink"]);
    expect(body.files[0]?.webViewLink).toBe(
      `https://docs.google.com/document/d/${teamMapping.id}/edit?usp=drivesdk`,
    );
    const second = await get("files", {
      q: "trashed = false",
      pageSize: "2",
      fields,
      pageToken: body.nextPageToken ?? "",
    });
    expect((second.body as DriveBody).files.map((f: { id: string }) => f.id)).toEqual([
      review.id,
      offsite.id,
    ]);
    const third = await get("files", {
      q: "trashed = false",
      pageSize: "2",
      fields,
      pageToken: (second.body as DriveBody).nextPageToken ?? "",
    });
    expect((third.body as DriveBody).files.map((f: { id: string }) => f.id)).toEqual([pdf.id]);
    expect((third.body as DriveBody).nextPageToken).toBeUndefined();
    expect((await get("files", { pageSize: "1001" })).status).toBe(400);
    expect((await get("files", { pageSize: "1000" })).status).toBe(200);
  });

  it("gets metadata, and answers 404 notFound for unknown or unshared files", async () => {
    const meta = await get(`files/${workbook.id}`);
    expect(meta.body).toEqual({
      kind: "drive#file",
      id: workbook.id,
      name: workbook.name,
      mimeType: DRIVE_MIME.spreadsheet,
    });
    for (const id of [foreign.id, "1NoSuchFile"]) {
      const missing = await get(`files/${id}`);
      expect(missing.status).toBe(404);
      expect((missing.body as DriveBody).error).toMatchObject({
        code: 404,
        message: `File not found: ${id}.`,
        errors: [{ reason: "notFound", location: "fileId" }],
      });
    }
    expect((await get(`files/${trashed.id}`, { fields: "trashed" })).body).toEqual({
      trashed: true,
    });
  });

  it("exports Docs as Markdown or text, Sheets as CSV, Slides as text", async () => {
    const md = await get(`files/${teamMapping.id}/export`, { mimeType: "text/markdown" });
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(md.body).toContain("| Core | Backend | DEMO | Dana Reyes |");
    const txt = await get(`files/${teamMapping.id}/export`, { mimeType: "text/plain" });
    expect((txt.body as string).startsWith("\uFEFFTeam mapping")).toBe(true);
    const csv = await get(`files/${workbook.id}/export`, { mimeType: "text/csv" });
    expect(csv.body).toContain("4.4,2026-12-08,2026-12-22,Lin Park,Planned");
    const slides = await get(`files/${review.id}/export`, { mimeType: "text/plain" });
    expect(slides.body).toContain("Quarterly review Q3");
  });

  it("refuses exports Google refuses: other formats, non-Docs files, too large", async () => {
    const unsupported = await get(`files/${workbook.id}/export`, { mimeType: "text/markdown" });
    expect(unsupported.status).toBe(400);
    expect((unsupported.body as DriveBody).error.message).toBe(
      "The requested conversion is not supported.",
    );
    const notDocs = await get(`files/${pdf.id}/export`, { mimeType: "text/plain" });
    expect(notDocs.status).toBe(403);
    expect((notDocs.body as DriveBody).error.errors[0]?.reason).toBe("fileNotExportable");
  });

  it("answers 401 with WWW-Authenticate for a bad or expired token", async () => {
    const bad = await get("about", { fields: "user" }, "ya29.not-a-token");
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((bad.body as DriveBody).error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
  });

  it("answers 403 insufficientPermissions for a grant without the scope", async () => {
    const metadataOnly = await grantFromFakeGoogle(google, {
      scope: "openid https://www.googleapis.com/auth/drive.metadata.readonly",
    });
    expect((await get(`files/${review.id}`, {}, metadataOnly.accessToken)).status).toBe(200);
    const denied = await get(
      `files/${review.id}/export`,
      { mimeType: "text/plain" },
      metadataOnly.accessToken,
    );
    expect(denied.status).toBe(403);
    expect((denied.body as DriveBody).error.errors[0]?.reason).toBe("insufficientPermissions");
    const none = await grantFromFakeGoogle(google, { scope: "openid email" });
    expect((await get("files", {}, none.accessToken)).status).toBe(403);
  });

  it("meets a fault once: 429 with Retry-After, then answers again", async () => {
    drive.failNext({ status: 429, retryAfterSeconds: 7 });
    const limited = await get("files");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((limited.body as DriveBody).error.errors[0]?.reason).toBe("rateLimitExceeded");
    expect((await get("files")).status).toBe(200);
  });
});

describe("fake Google Drive export limit", () => {
  it("exports at the limit and answers 403 exportSizeLimitExceeded past it", async () => {
    const google = await startFakeGoogle();
    const drive = await startFakeDrive({
      google,
      exportLimitBytes: 100,
      files: [
        {
          ...teamMapping,
          exports: { "text/markdown": "é".repeat(50), "text/plain": "a".repeat(101) },
        },
      ],
    });
    try {
      const { accessToken } = await grantFromFakeGoogle(google);
      const exportAs = (mimeType: string) =>
        fetch(
          `${drive.url}/drive/v3/files/${teamMapping.id}/export?mimeType=${encodeURIComponent(mimeType)}`,
          { headers: { authorization: `Bearer ${accessToken}` } },
        );
      expect((await exportAs("text/markdown")).status).toBe(200);
      // 100 bytes (50 two-byte characters) is at the limit; 101 is past it.
      const tooLarge = await exportAs("text/plain");
      expect(tooLarge.status).toBe(403);
      expect(((await tooLarge.json()) as DriveBody).error.errors[0]?.reason).toBe(
        "exportSizeLimitExceeded",
      );
    } finally {
      await drive.close();
      await google.close();
    }
  });
});
