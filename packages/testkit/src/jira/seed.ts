import { seedSprintsOfDemoIssue } from "./sprint-seed.ts";

/** A Jira user the fake knows, and the token it accepts for them. */
export interface FakeJiraUser {
  /** Cloud's `accountId`; Server's `key` and `name`. */
  readonly id: string;
  readonly displayName: string;
  /** Cloud signs in with this and the token (Basic). */
  readonly emailAddress: string;
  /** Cloud API token or Server/DC personal access token. */
  readonly token: string;
}

export interface FakeComment {
  readonly author: string;
  /** Plain text; paragraphs split by a blank line, `- ` lines a bullet list. */
  readonly body: string;
  readonly created: string;
}

export interface FakeIssue {
  readonly key: string;
  readonly summary: string;
  readonly type: string;
  readonly status: string;
  /** `new`, `indeterminate` or `done`, Jira's status categories. */
  readonly statusCategory: "new" | "indeterminate" | "done";
  readonly priority?: string;
  /** User ids (see FakeJiraUser.id). */
  readonly assignee?: string;
  readonly reporter: string;
  readonly created: string;
  readonly updated: string;
  readonly labels?: readonly string[];
  /** Version names (see seedVersions) and component names; a component stands for a team. */
  readonly fixVersions?: readonly string[];
  readonly components?: readonly string[];
  /** Ids of the sprints it is or was in, oldest first (see sprint-seed.ts); none: the backlog. */
  readonly sprints?: readonly number[];
  /** Plain text as in FakeComment.body, or undefined for an empty description. */
  readonly description?: string;
  readonly comments?: readonly FakeComment[];
  /** Users who get 403 for this issue (a permission the fake cannot express otherwise). */
  readonly forbiddenFor?: readonly string[];
  /** Users who cannot see it at all: 404, as real Jira answers for an issue you may not see. */
  readonly hiddenFrom?: readonly string[];
}

export const seedUsers: readonly FakeJiraUser[] = [
  {
    id: "5b10ac8d82e05b22cc7d4ef5",
    displayName: "Dana Reyes",
    emailAddress: "dana@example.com",
    token: "fake-jira-token-dana-0001",
  },
  {
    id: "5b10a2844c20165700ede21g",
    displayName: "Sam Okafor",
    emailAddress: "sam@example.com",
    token: "fake-jira-token-sam-0002",
  },
];

const [dana, sam] = seedUsers.map((user) => user.id) as [string, string];

/** A project version, as `/project/{key}/versions` lists it. */
export interface FakeVersion {
  readonly project: string;
  readonly name: string;
  readonly released: boolean;
  readonly releaseDate?: string;
  readonly archived?: boolean;
}

export const seedVersions: readonly FakeVersion[] = [
  { project: "DEMO", name: "4.2", released: true, releaseDate: "2026-09-15" },
  { project: "DEMO", name: "4.3", released: true, releaseDate: "2026-10-20" },
  { project: "DEMO", name: "4.4", released: false, releaseDate: "2026-12-10" },
  { project: "DEMO", name: "5.0", released: false },
  { project: "OPS", name: "2026.11", released: false, releaseDate: "2026-11-30" },
];

const TYPES = ["Bug", "Story", "Task", "Bug", "Story"] as const;
const STATUSES = [
  ["To Do", "new"],
  ["In Progress", "indeterminate"],
  ["In Review", "indeterminate"],
  ["Done", "done"],
] as const;
const PRIORITIES = ["Highest", "High", "Medium", "Low"] as const;
const COMPONENTS = ["Frontend", "Backend", "Platform"] as const;
const SUBJECTS = [
  "invoice list",
  "login page",
  "search index",
  "report builder",
  "billing API",
  "audit log",
  "notification emails",
] as const;

/**
 * DEMO-4 to DEMO-40 and OPS-1 to OPS-8: enough fictional issues, spread over types, statuses,
 * priorities, versions and components (teams), for searches to span several pages.
 */
function generatedIssues(): FakeIssue[] {
  const issues: FakeIssue[] = [];
  for (let n = 4; n <= 40; n++) {
    const [status, statusCategory] = STATUSES[n % STATUSES.length] as (typeof STATUSES)[number];
    const subject = SUBJECTS[n % SUBJECTS.length] as string;
    const day = String(1 + (n % 28)).padStart(2, "0");
    issues.push({
      key: `DEMO-${n}`,
      summary: `${n % 3 === 0 ? "Speed up" : n % 3 === 1 ? "Fix errors in" : "Tidy up"} the ${subject}`,
      type: TYPES[n % TYPES.length] as string,
      status,
      statusCategory,
      priority: PRIORITIES[n % PRIORITIES.length] as string,
      ...(n % 4 === 3 ? {} : { assignee: n % 2 === 0 ? dana : sam }),
      reporter: n % 2 === 0 ? sam : dana,
      created: `2026-10-${day}T10:00:00.000+0000`,
      updated: `2026-11-${day}T${String(n % 24).padStart(2, "0")}:30:00.000+0000`,
      // DEMO-21, in the active sprint, waits on another team: a sprint review lists it as blocked.
      labels: n % 5 === 0 ? ["customer"] : n === 21 ? ["blocked"] : [],
      fixVersions: [["4.2", "4.3", "4.4", "5.0"][n % 4] as string],
      components: [COMPONENTS[n % COMPONENTS.length] as string],
      sprints: seedSprintsOfDemoIssue(n, statusCategory === "done"),
      description: `The ${subject} needs work (issue ${n}).\n\nAcceptance: it behaves as the spec says.`,
    });
  }
  for (let n = 1; n <= 8; n++) {
    const [status, statusCategory] = STATUSES[n % STATUSES.length] as (typeof STATUSES)[number];
    issues.push({
      key: `OPS-${n}`,
      summary: `Rotate the certificates of cluster ${n}`,
      type: "Task",
      status,
      statusCategory,
      priority: "Medium",
      assignee: sam,
      reporter: sam,
      created: `2026-11-0${n}T08:00:00.000+0000`,
      updated: `2026-11-1${n}T08:00:00.000+0000`,
      fixVersions: ["2026.11"],
      components: ["Platform"],
    });
  }
  return issues;
}

/** A fictional product's project, DEMO, and its operations project, OPS. */
export const seedIssues: readonly FakeIssue[] = [
  {
    key: "DEMO-1",
    summary: "Export to CSV drops rows with non-ASCII names",
    type: "Bug",
    status: "In Progress",
    statusCategory: "indeterminate",
    priority: "High",
    assignee: dana,
    reporter: sam,
    created: "2026-11-02T09:15:00.000+0000",
    updated: "2026-11-20T16:40:12.000+0000",
    labels: ["export", "i18n"],
    fixVersions: ["4.4"],
    components: ["Backend"],
    sprints: [11, 12],
    description:
      "Exporting the customer list to CSV loses every row whose name has an accent.\n\nSteps:\n- Add a customer named Zoë\n- Export the list to CSV\n- Open the file: Zoë is missing",
    comments: [
      { author: sam, body: "Seen on 4.2 and 4.3.", created: "2026-11-03T10:00:00.000+0000" },
      {
        author: dana,
        body: "The encoder skips rows it cannot map to Latin-1. Fix in review.",
        created: "2026-11-19T14:22:00.000+0000",
      },
    ],
  },
  {
    key: "DEMO-2",
    summary: "Dark mode for the settings page",
    type: "Story",
    status: "To Do",
    statusCategory: "new",
    priority: "Medium",
    reporter: dana,
    created: "2026-11-05T11:00:00.000+0000",
    updated: "2026-11-28T08:05:00.000+0000",
    comments: Array.from({ length: 8 }, (_, i) => ({
      author: i % 2 === 0 ? dana : sam,
      body: `Design note ${i + 1}.`,
      created: `2026-11-${String(10 + i).padStart(2, "0")}T09:00:00.000+0000`,
    })),
  },
  {
    key: "DEMO-3",
    summary: "Payroll export for the finance team",
    type: "Task",
    status: "Done",
    statusCategory: "done",
    reporter: sam,
    created: "2026-10-01T09:00:00.000+0000",
    updated: "2026-10-15T09:00:00.000+0000",
    sprints: [10],
    forbiddenFor: [dana],
  },
  ...generatedIssues(),
];
