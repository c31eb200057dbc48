import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type ToolCredential,
} from "@agentllm/sdk";
import {
  type FakeDrive,
  type FakeGoogle,
  type FakeGoogleGrant,
  grantFromFakeGoogle,
  RELEASE_TEAM_EMAIL,
  RELEASE_TEAM_GOOGLE_USER,
  RELEASE_WORKBOOK_CSV,
  RELEASE_WORKBOOK_SHEET_ID,
  releaseWorkbookFile,
  startFakeDrive,
  startFakeGoogle,
} from "@agentllm/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_WORKBOOK } from "./default-workbook.ts";
import {
  DEFAULT_TTL_SECONDS,
  FAILURE_RETRY_MS,
  MAX_SHEET_BYTES,
  MAX_WAIT_MS,
  MIN_WAIT_MS,
  SHEET_URL_VARIABLE,
  TTL_VARIABLE,
  WAIT_VARIABLE,
  WorkbookSource,
} from "./workbook-source.ts";

const SHEET_URL = `https://docs.google.com/spreadsheets/d/${RELEASE_WORKBOOK_SHEET_ID}/edit#gid=0`;

interface LogLine {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

function credentialOf(grant: FakeGoogleGrant | undefined): ToolCredential {
  return {
    connected: async () => grant !== undefined,
    get: async (options) => {
      if (!grant) throw new CredentialRequiredError("google_drive");
      return { accessToken: options?.refresh ? await grant.refresh() : grant.accessToken };
    },
    rejected: async (reason) => {
      throw new CredentialRequiredError("google_drive", reason);
    },
  };
}

describe("the release workbook from the team's Sheet, per user, against the fake Drive", () => {
  let google: FakeGoogle;
  let drive: FakeDrive;
  let rita: FakeGoogleGrant;
  let ada: FakeGoogleGrant;
  let clock = 0;
  let env: Record<string, string | undefined> = {};
  let logs: LogLine[] = [];
  const logger: PluginLogger = {
    debug: (obj, msg) => void logs.push({ level: "debug", obj, msg }),
    info: (obj, msg) => void logs.push({ level: "info", obj, msg }),
    warn: (obj, msg) => void logs.push({ level: "warn", obj, msg }),
    error: (obj, msg) => void logs.push({ level: "error", obj, msg }),
  };
  const source = (maxUsers?: number) =>
    new WorkbookSource({
      env: () => env,
      drive: { baseUrl: () => drive.url },
      now: () => clock,
      ...(maxUsers ? { maxUsers } : {}),
    });
  const ctx = (userId: string | undefined, grant: FakeGoogleGrant | undefined): ToolContext => ({
    userId,
    sessionId: undefined,
    signal: new AbortController().signal,
    logger,
    settings: { get: async () => undefined, set: async () => {}, delete: async () => {} },
    credential: credentialOf(grant),
  });
  const sheetRequests = () =>
    drive.requests
      .filter((request) => request.path.includes(RELEASE_WORKBOOK_SHEET_ID))
      .map((request) => (request.path.endsWith("/export") ? "export" : "metadata"));
  const changeSheet = (csv: string, modifiedTime: string) => {
    const index = drive.files.findIndex((file) => file.id === RELEASE_WORKBOOK_SHEET_ID);
    drive.files[index] = { ...releaseWorkbookFile(), modifiedTime, exports: { "text/csv": csv } };
  };

  beforeAll(async () => {
    google = await startFakeGoogle({
      users: [
        { sub: "100000000000000000001", email: "ada@example.test", name: "Ada Lovelace" },
        RELEASE_TEAM_GOOGLE_USER,
      ],
    });
    drive = await startFakeDrive({ google });
    rita = await grantFromFakeGoogle(google, { email: RELEASE_TEAM_EMAIL });
    ada = await grantFromFakeGoogle(google, { email: "ada@example.test" });
  });
  afterAll(async () => {
    await drive?.close();
    await google?.close();
  });
  beforeEach(() => {
    changeSheet(RELEASE_WORKBOOK_CSV, releaseWorkbookFile().modifiedTime);
    (drive.requests as unknown[]).length = 0;
    env = { [SHEET_URL_VARIABLE]: SHEET_URL };
    logs = [];
    clock = 1_000_000;
  });

  it("uses the Sheet as its reader, says so, and logs which source is in use", async () => {
    const result = await source().forTool(ctx("rita", rita));
    expect(result.source).toBe("sheet");
    expect(result.note).toContain("'Release manager workbook'");
    expect(result.workbook.config.announce_channel).toBe("#release-train");
    expect(result.problems).toEqual([expect.stringContaining("unknown kind 'team'")]);
    expect(sheetRequests()).toEqual(["metadata", "export"]);
    const authorization = drive.requests.map((request) => request.authorization);
    expect(new Set(authorization)).toEqual(new Set([`Bearer ${rita.accessToken}`]));
    expect(logs).toContainEqual(
      expect.objectContaining({ level: "info", obj: expect.objectContaining({ source: "sheet" }) }),
    );
    expect(JSON.stringify(logs)).not.toContain(rita.accessToken);
  });

  it("keeps a copy per user: a user who cannot see the Sheet gets the defaults, not another's copy", async () => {
    const shared = source();
    expect((await shared.forTool(ctx("rita", rita))).source).toBe("sheet");
    const other = await shared.forTool(ctx("ada", ada));
    expect(other.source).toBe("defaults");
    expect(other.note).toContain("Google Drive answered 404 notFound");
    expect(other.workbook).toBe(DEFAULT_WORKBOOK);
  });

  it("asks Drive again only after the TTL, and reads the export again only when the Sheet changed", async () => {
    const shared = source();
    await shared.forTool(ctx("rita", rita));
    clock += DEFAULT_TTL_SECONDS * 1000 - 1;
    await shared.forTool(ctx("rita", rita));
    expect(sheetRequests()).toEqual(["metadata", "export"]);

    clock += 1;
    expect((await shared.forTool(ctx("rita", rita))).source).toBe("sheet");
    expect(sheetRequests()).toEqual(["metadata", "export", "metadata"]);

    changeSheet(
      RELEASE_WORKBOOK_CSV.replace("#release-train", "#release-crew"),
      "2026-11-29T08:00:00.000Z",
    );
    expect((await shared.forTool(ctx("rita", rita))).workbook.config.announce_channel).toBe(
      "#release-train",
    ); // still within the TTL of the last check
    clock += DEFAULT_TTL_SECONDS * 1000;
    const changed = await shared.forTool(ctx("rita", rita));
    expect(changed.workbook.config.announce_channel).toBe("#release-crew");
    expect(changed.note).toContain("2026-11-29T08:00:00.000Z");
    expect(sheetRequests()).toEqual(["metadata", "export", "metadata", "metadata", "export"]);
  });

  it("takes its TTL from the variable, within bounds", async () => {
    env[TTL_VARIABLE] = "10";
    const shared = source();
    await shared.forTool(ctx("rita", rita));
    clock += 10_000;
    await shared.forTool(ctx("rita", rita));
    expect(sheetRequests()).toEqual(["metadata", "export", "metadata"]);

    env[TTL_VARIABLE] = "86400"; // the bound itself: taken
    clock += 10_000;
    await shared.forTool(ctx("rita", rita));
    expect(sheetRequests()).toHaveLength(3);
    clock += 86_400_000;
    await shared.forTool(ctx("rita", rita));
    expect(sheetRequests()).toHaveLength(4);
    expect(logs.filter((line) => line.level === "warn")).toEqual([]);

    env[TTL_VARIABLE] = "0"; // below the bound: the default, and a warning
    clock += 10_000;
    await shared.forTool(ctx("rita", rita));
    expect(sheetRequests()).toHaveLength(4);
    env[TTL_VARIABLE] = "86401"; // past the bound: the default, and a warning
    clock += 10_000;
    await shared.forTool(ctx("rita", rita));
    expect(sheetRequests()).toHaveLength(4);
    expect(logs).toContainEqual(
      expect.objectContaining({ obj: expect.objectContaining({ variable: TTL_VARIABLE }) }),
    );
  });

  it("Drive failing: the last good copy answers, and Drive is left alone for a while", async () => {
    const shared = source();
    await shared.forTool(ctx("rita", rita));
    clock += DEFAULT_TTL_SECONDS * 1000;
    drive.failNext({ status: 503 });
    const down = await shared.forTool(ctx("rita", rita));
    expect(down.source).toBe("last good copy of the sheet");
    expect(down.workbook.config.announce_channel).toBe("#release-train");
    expect(down.note).toContain("could not be read now (Google Drive answered 503 backendError)");
    expect(logs.at(-1)).toMatchObject({
      level: "warn",
      obj: { source: "last good copy of the sheet" },
    });

    clock += FAILURE_RETRY_MS - 1;
    expect((await shared.forTool(ctx("rita", rita))).source).toBe("last good copy of the sheet");
    expect(sheetRequests()).toEqual(["metadata", "export", "metadata"]);
    clock += 1;
    expect((await shared.forTool(ctx("rita", rita))).source).toBe("sheet");
  });

  it("Drive not answering: the defaults answer once the wait is over", async () => {
    env[WAIT_VARIABLE] = String(MIN_WAIT_MS); // the shortest wait allowed
    drive.failNext("hang");
    const result = await source().forTool(ctx("rita", rita));
    expect(result.source).toBe("defaults");
    expect(result.note).toContain(`did not answer within ${MIN_WAIT_MS / 1000} s`);
  });

  it("shares one read among parallel tool calls", async () => {
    const shared = source();
    const results = await Promise.all([1, 2, 3].map(() => shared.forTool(ctx("rita", rita))));
    expect(results.map((result) => result.source)).toEqual(["sheet", "sheet", "sheet"]);
    expect(sheetRequests()).toEqual(["metadata", "export"]);
  });

  it("a bad Sheet never breaks the agent: the last good copy, or the defaults, with the reason", async () => {
    changeSheet("Version,Code freeze\n4.2,2026-09-01\n", "2026-11-29T09:00:00.000Z");
    const bad = await source().forTool(ctx("rita", rita));
    expect(bad.source).toBe("defaults");
    expect(bad.note).toContain("first row must be the header kind,name,value");
  });

  it("reads a Sheet of up to its size bound and refuses a larger one", async () => {
    const header = "kind,name,value\r\n";
    // Rows of 3,000-character prompts, the last one padded: exactly MAX_SHEET_BYTES.
    const row = (i: number, chars: number) => `prompt,p${i},${"x".repeat(chars)}\r\n`;
    const rows = [header];
    let size = header.length;
    for (let i = 0; size + row(i, 3000).length < MAX_SHEET_BYTES; i++) {
      rows.push(row(i, 3000));
      size += row(i, 3000).length;
    }
    const last = row(99, 0);
    rows.push(row(99, MAX_SHEET_BYTES - size - last.length));
    const atLimit = rows.join("");
    expect(Buffer.byteLength(atLimit)).toBe(MAX_SHEET_BYTES);
    changeSheet(atLimit, "2026-11-29T10:00:00.000Z");
    const read = await source().forTool(ctx("rita", rita));
    expect(read.source).toBe("sheet");
    expect(read.workbook.prompts.p0).toHaveLength(3000);
    const filler = (bytes: number) =>
      `${header}prompt,filler,${"x".repeat(bytes - header.length - 16)}\r\n`;
    changeSheet(filler(MAX_SHEET_BYTES + 100), "2026-11-29T11:00:00.000Z");
    const tooLarge = await source().forTool(ctx("rita", rita));
    expect(tooLarge.source).toBe("defaults");
    expect(tooLarge.note).toContain(`larger than ${MAX_SHEET_BYTES} bytes`);
  });

  it("without a Sheet, a signed-in user, or a Drive grant: the defaults, and why", async () => {
    env = {};
    expect((await source().forTool(ctx("rita", rita))).note).toContain("no team Sheet");
    env = { [SHEET_URL_VARIABLE]: "https://example.com/sheet" };
    expect((await source().forTool(ctx("rita", rita))).note).toContain("names no Sheet");
    env = { [SHEET_URL_VARIABLE]: SHEET_URL };
    expect((await source().forTool(ctx(undefined, undefined))).note).toContain("no signed-in user");
    const unconnected = await source().forTool(ctx("bea", undefined));
    expect(unconnected.source).toBe("defaults");
    expect(unconnected.note).toContain("has not connected Google Drive");
    expect(drive.requests).toEqual([]);
  });

  it("a grant Drive refuses is left to the Drive tools: defaults, nothing forgotten", async () => {
    let rejected = false;
    const refused: ToolContext = {
      ...ctx("rita", rita),
      credential: {
        connected: async () => true,
        get: async () => ({ accessToken: "revoked-token" }),
        rejected: async () => {
          rejected = true;
          throw new CredentialRequiredError("google_drive");
        },
      },
    };
    const result = await source().forTool(refused);
    expect(result.source).toBe("defaults");
    expect(result.note).toContain("did not accept the user's grant");
    expect(rejected).toBe(false);
  });

  it("keeps copies for a bounded number of users, the least recently used going first", async () => {
    const shared = source(1);
    await shared.forTool(ctx("rita", rita));
    await shared.forTool(ctx("rita-2", rita)); // the same account as another user: its own copy
    await shared.forTool(ctx("rita", rita));
    expect(sheetRequests()).toEqual([
      "metadata",
      "export",
      "metadata",
      "export",
      "metadata",
      "export",
    ]);
  });

  it("bounds the wait variable", async () => {
    env[WAIT_VARIABLE] = String(MAX_WAIT_MS);
    expect((await source().forTool(ctx("rita", rita))).source).toBe("sheet");
    expect(logs.filter((line) => line.level === "warn")).toEqual([]);
    env[WAIT_VARIABLE] = String(MAX_WAIT_MS + 1);
    await source().forTool(ctx("rita", rita));
    expect(logs).toContainEqual(
      expect.objectContaining({ obj: expect.objectContaining({ variable: WAIT_VARIABLE }) }),
    );
  });
});
