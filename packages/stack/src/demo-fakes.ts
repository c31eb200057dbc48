import {
  type FakeDrive,
  type FakeGoogle,
  type FakeJira,
  seedUsers,
  startFakeDrive,
  startFakeGoogle,
  startFakeJira,
  TEAM_MAPPING_DOC_ID,
} from "@agentllm/testkit";

/** The OAuth client the fake Google knows by default (testkit/src/google/server.ts). */
export const DEMO_GOOGLE_CLIENT = {
  id: "fake-google-client-id",
  secret: "fake-google-client-secret",
} as const;

export interface DemoFakes {
  readonly jira: FakeJira;
  readonly google: FakeGoogle;
  readonly drive: FakeDrive;
  /** What the runtime needs to use them: its Jira, Google OAuth and Drive settings. */
  readonly env: Readonly<Record<string, string>>;
  /** How to connect each toolkit, for the demo's banner. */
  readonly howToConnect: readonly string[];
  close(): Promise<void>;
}

/**
 * The fake Jira (a Data Center server with its seeded users and issues) and the fake Google
 * (OAuth with an auto-consenting test user, and a seeded Drive) that `just demo` runs beside the
 * fake Gemini, so the Jira and Drive agents work with no configuration and no internet.
 */
export async function startDemoFakes(): Promise<DemoFakes> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const jira = await startFakeJira({ flavour: "server" });
    started.push(jira);
    const google = await startFakeGoogle();
    started.push(google);
    const drive = await startFakeDrive({ google });
    started.push(drive);
    const dana = seedUsers[0] as (typeof seedUsers)[number];
    const ada = google.users[0];
    return {
      jira,
      google,
      drive,
      env: {
        JIRA_BASE_URL: jira.url,
        GOOGLE_OAUTH_BASE_URL: google.url,
        GOOGLE_DRIVE_BASE_URL: drive.url,
        GDRIVE_CLIENT_ID: DEMO_GOOGLE_CLIENT.id,
        GDRIVE_CLIENT_SECRET: DEMO_GOOGLE_CLIENT.secret,
        // agno/sprint-reviewer's team mapping: the seeded Doc, readable by the demo's Google user.
        SPRINT_REVIEWER_TEAM_MAPPING_GDRIVE_URL: `https://docs.google.com/document/d/${TEAM_MAPPING_DOC_ID}/edit`,
      },
      howToConnect: [
        `  Jira:       a fake Jira Data Center at ${jira.url} (projects DEMO and OPS). When an agent`,
        `              links to "Connect Jira", leave the URL empty and enter the token ${dana.token} (${dana.displayName}).`,
        `  Drive:      a fake Google at ${google.url}: "Connect Google Drive" goes through its`,
        `              consent page, which signs in ${ada?.email ?? "its test user"} at once; Drive at ${drive.url} holds seeded documents.`,
      ],
      async close() {
        await Promise.all(started.map((fake) => fake.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((fake) => fake.close()));
    throw error;
  }
}
