import { releaseWorkbookFile } from "./release-workbook-seed.ts";

/** Google's own types; Docs Editors files have no bytes of their own and are exported. */
export const DRIVE_MIME = {
  document: "application/vnd.google-apps.document",
  spreadsheet: "application/vnd.google-apps.spreadsheet",
  presentation: "application/vnd.google-apps.presentation",
  folder: "application/vnd.google-apps.folder",
  pdf: "application/pdf",
} as const;

/** One file in the fake Drive. `exports` holds what each export format returns. */
export interface FakeDriveFile {
  readonly id: string;
  readonly name: string;
  readonly mimeType: string;
  /** Emails of the users who can see it; the first is the owner. */
  readonly readers: readonly string[];
  readonly trashed?: boolean;
  readonly createdTime: string;
  readonly modifiedTime: string;
  /** Export mime type → content. Missing for files that are not Docs Editors files. */
  readonly exports?: Readonly<Record<string, string>>;
}

const ADA = "ada@example.test";

/** The seeded team-mapping Doc (ada's), as agno/sprint-reviewer's tests and `just demo` name it. */
export const TEAM_MAPPING_DOC_ID = "1TeamMappingDoc000000000000000000000000000AB";

// The teams are the fake Jira's DEMO components (packages/testkit/src/jira/seed.ts), so a
// sprint review can go from this document to the team's issues.
const TEAM_MAPPING_MD = `# Team mapping

Which team owns which Jira components, and where its issues live.

| Team | Components | Jira project | Lead |
| --- | --- | --- | --- |
| Web | Frontend | DEMO | Lin Park |
| Core | Backend | DEMO | Dana Reyes |
| Platform | Platform | DEMO, OPS | Sam Okafor |

Sprints run on the DEMO board, two weeks each.

## Escalation

Page the owning team's lead first; if nobody answers within an hour, page Platform.
`;

const TEAM_MAPPING_TXT = `Team mapping

Which team owns which Jira components, and where its issues live.

Team\tComponents\tJira project\tLead
Web\tFrontend\tDEMO\tLin Park
Core\tBackend\tDEMO\tDana Reyes
Platform\tPlatform\tDEMO, OPS\tSam Okafor

Sprints run on the DEMO board, two weeks each.

Escalation

Page the owning team's lead first; if nobody answers within an hour, page Platform.
`;

const RELEASE_CSV = `Version,Code freeze,Release date,Release manager,Status
4.2,2026-09-01,2026-09-15,Dana Reyes,Released
4.3,2026-11-03,2026-11-17,Sam Okafor,Released
4.4,2026-12-08,2026-12-22,Lin Park,Planned
`;

const REVIEW_TXT = `Quarterly review Q3

Highlights
Exports handle non-ASCII names
Connect pages for Jira and Google

Next quarter
Scheduler rewrite
`;

/**
 * Fictional documents of a fictional company, owned by ada@example.test unless said otherwise.
 * Ids look like Drive's (44 characters of [A-Za-z0-9_-]).
 */
export function seedDriveFiles(): FakeDriveFile[] {
  return [
    {
      id: TEAM_MAPPING_DOC_ID,
      name: "Team mapping",
      mimeType: DRIVE_MIME.document,
      readers: [ADA],
      createdTime: "2026-03-02T09:00:00.000Z",
      modifiedTime: "2026-11-20T14:30:00.000Z",
      exports: {
        "text/markdown": TEAM_MAPPING_MD,
        // Google's plain-text export of a Doc starts with a byte order mark.
        "text/plain": `\uFEFF${TEAM_MAPPING_TXT}`,
      },
    },
    {
      id: "1ReleaseWorkbookSheet00000000000000000000CD",
      name: "Release workbook 2026",
      mimeType: DRIVE_MIME.spreadsheet,
      readers: [ADA],
      createdTime: "2026-01-10T08:00:00.000Z",
      modifiedTime: "2026-11-18T10:05:00.000Z",
      exports: { "text/csv": RELEASE_CSV, "text/tab-separated-values": RELEASE_CSV },
    },
    {
      id: "1QuarterlyReviewSlides0000000000000000000EF",
      name: "Quarterly review Q3",
      mimeType: DRIVE_MIME.presentation,
      readers: [ADA],
      createdTime: "2026-10-01T12:00:00.000Z",
      modifiedTime: "2026-10-05T16:45:00.000Z",
      exports: { "text/plain": REVIEW_TXT },
    },
    {
      id: "1TeamOffsiteNotesDoc000000000000000000000MN",
      name: "Team offsite notes",
      mimeType: DRIVE_MIME.document,
      readers: [ADA],
      createdTime: "2026-06-10T09:00:00.000Z",
      modifiedTime: "2026-06-12T17:00:00.000Z",
      exports: { "text/markdown": "# Team offsite notes\n\nAgreed: one release per month.\n" },
    },
    {
      id: "1ArchitecturePdf000000000000000000000000GH",
      name: "Architecture overview.pdf",
      mimeType: DRIVE_MIME.pdf,
      readers: [ADA],
      createdTime: "2026-02-14T09:30:00.000Z",
      modifiedTime: "2026-02-14T09:30:00.000Z",
    },
    {
      id: "1OldTeamMappingTrashed00000000000000000000IJ",
      name: "Team mapping (old)",
      mimeType: DRIVE_MIME.document,
      readers: [ADA],
      trashed: true,
      createdTime: "2025-05-01T09:00:00.000Z",
      modifiedTime: "2025-06-01T09:00:00.000Z",
      exports: {
        "text/markdown": "# Team mapping (old)\n",
        "text/plain": "\uFEFFTeam mapping (old)\n",
      },
    },
    {
      id: "1SalaryBandsPrivate0000000000000000000000KL",
      name: "Salary bands",
      mimeType: DRIVE_MIME.spreadsheet,
      readers: ["grace@example.test"],
      createdTime: "2026-04-01T09:00:00.000Z",
      modifiedTime: "2026-04-01T09:00:00.000Z",
      exports: { "text/csv": "Band,Min,Max\n" },
    },
    releaseWorkbookFile(),
  ];
}
