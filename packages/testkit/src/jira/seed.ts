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

/** A fictional product's project, DEMO. */
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
    forbiddenFor: [dana],
  },
];
