import { loadConfig } from "@agentllm/runtime";
import { grantFromFakeGoogle, seedUsers } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoFakes, startDemoFakes } from "./demo-fakes.ts";
import { randomFernetKey } from "./start-stack.ts";

describe("the fakes `just demo` runs", () => {
  let fakes: DemoFakes;
  beforeAll(async () => {
    fakes = await startDemoFakes();
  });
  afterAll(() => fakes?.close());

  it("are settings the runtime accepts: Jira's default server and Google sign-in on the fakes", () => {
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: "demo-fakes-runtime-token",
      GEMINI_API_KEY: "demo-key",
      AGENTLLM_TOKEN_ENCRYPTION_KEY: randomFernetKey(),
      ...fakes.env,
    });
    expect(config.publicListener.google).toEqual({
      clientId: "fake-google-client-id",
      clientSecret: "fake-google-client-secret",
      baseUrl: fakes.google.url,
    });
    expect(fakes.env.JIRA_BASE_URL).toBe(fakes.jira.url);
    expect(fakes.env.GOOGLE_DRIVE_BASE_URL).toBe(fakes.drive.url);
  });

  it("answer the Jira token the banner prints, on the Jira it names", async () => {
    const dana = seedUsers[0] as (typeof seedUsers)[number];
    expect(fakes.howToConnect.join("\n")).toContain(dana.token);
    expect(fakes.howToConnect.join("\n")).toContain(fakes.jira.url);
    const response = await fetch(`${fakes.env.JIRA_BASE_URL}/rest/api/2/issue/DEMO-1`, {
      headers: { authorization: `Bearer ${dana.token}` },
    });
    expect(response.status).toBe(200);
  });

  it("sign a user in to Google at once and serve seeded Drive files to them", async () => {
    const grant = await grantFromFakeGoogle(fakes.google);
    const response = await fetch(`${fakes.env.GOOGLE_DRIVE_BASE_URL}/drive/v3/files`, {
      headers: { authorization: `Bearer ${grant.accessToken}` },
    });
    expect(response.status).toBe(200);
    const { files } = (await response.json()) as { files: unknown[] };
    expect(files.length).toBeGreaterThan(0);
  });
});
