import {
  CredentialRequiredError,
  defineToolkit,
  type PluginLogger,
  type ToolkitDefinition,
} from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { MemoryCredentialVault } from "../testing/memory-credential-vault.ts";
import { RequestCredentials } from "./request-credentials.ts";

const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const TOKEN = "planted-token-0123456789";

const jira = defineToolkit({
  name: "jira",
  credential: {
    kind: "api-token",
    title: "Jira",
    fields: {
      serverUrl: { label: "Jira URL", secret: false, type: "url" },
      token: { label: "Token", secret: true },
    },
  },
  tools: {},
});
const plain: ToolkitDefinition = { name: "color", tools: {} };

async function connectedVault(): Promise<MemoryCredentialVault> {
  const vault = new MemoryCredentialVault();
  await vault.put("alice", "jira", {
    kind: "api-token",
    secrets: { token: TOKEN },
    metadata: { serverUrl: "https://jira.example" },
  });
  return vault;
}

describe("RequestCredentials", () => {
  it("gives a connected user's field values by name, secret and metadata alike", async () => {
    const credential = new RequestCredentials(await connectedVault(), "alice", quiet).forToolkit(
      jira,
    );
    expect(await credential.connected()).toBe(true);
    expect(await credential.get()).toEqual({ serverUrl: "https://jira.example", token: TOKEN });
  });

  it("throws CredentialRequiredError for a user who has not connected", async () => {
    const credential = new RequestCredentials(await connectedVault(), "bob", quiet).forToolkit(
      jira,
    );
    expect(await credential.connected()).toBe(false);
    const error = await credential.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialRequiredError);
    expect(error).toMatchObject({ toolkit: "jira", reason: "not connected" });
  });

  it("never reads the vault for an anonymous request", async () => {
    const vault = await connectedVault();
    const credential = new RequestCredentials(vault, undefined, quiet).forToolkit(jira);
    expect(await credential.connected()).toBe(false);
    await expect(credential.get()).rejects.toMatchObject({
      name: "CredentialRequiredError",
      reason: "no signed-in user",
    });
    expect(vault.reads).toEqual([]);
  });

  it("is never connected without a vault", async () => {
    const credential = new RequestCredentials(undefined, "alice", quiet).forToolkit(jira);
    await expect(credential.get()).rejects.toBeInstanceOf(CredentialRequiredError);
  });

  it("reads the vault once per toolkit in a request, parallel calls included", async () => {
    const vault = await connectedVault();
    const credentials = new RequestCredentials(vault, "alice", quiet);
    await Promise.all([
      credentials.forToolkit(jira).get(),
      credentials.forToolkit(jira).connected(),
      credentials.statuses([jira, plain]),
    ]);
    await credentials.forToolkit(jira).get();
    expect(vault.reads).toEqual(["alice/jira"]);
  });

  it("forgets a rejected credential in the vault and the request, then asks to connect", async () => {
    const vault = await connectedVault();
    const credentials = new RequestCredentials(vault, "alice", quiet);
    const credential = credentials.forToolkit(jira);
    await credential.get();
    await expect(credential.rejected("Jira refused the token (401)")).rejects.toMatchObject({
      name: "CredentialRequiredError",
      toolkit: "jira",
      reason: "Jira refused the token (401)",
    });
    expect(await vault.get("alice", "jira")).toBeUndefined();
    expect(await credential.connected()).toBe(false);
    // The token read before the rejection is still scrubbed from what the tool returns.
    expect(credentials.scrubForms()).toContain(TOKEN);
  });

  it("says connected or not with metadata only, for toolkits that declare a credential", async () => {
    const statuses = await new RequestCredentials(await connectedVault(), "alice", quiet).statuses([
      jira,
      plain,
    ]);
    expect(statuses).toEqual([
      {
        toolkit: "jira",
        title: "Jira",
        connected: true,
        metadata: { serverUrl: "https://jira.example" },
      },
    ]);
    expect(JSON.stringify(statuses)).not.toContain(TOKEN);
  });

  it("turns a failed vault read into a message without the database's words, not cached", async () => {
    const vault = await connectedVault();
    let fail = true;
    const flaky = Object.assign(Object.create(vault) as MemoryCredentialVault, {
      get: (userId: string, toolkit: string) =>
        fail ? Promise.reject(new Error("SQLITE_BUSY at /data/x.db")) : vault.get(userId, toolkit),
    });
    const credential = new RequestCredentials(flaky, "alice", quiet).forToolkit(jira);
    await expect(credential.get()).rejects.toThrow(
      "could not read the saved jira credential; try again later",
    );
    fail = false;
    expect(await credential.get()).toMatchObject({ token: TOKEN });
  });

  it("gives a toolkit without a credential the undeclared view", async () => {
    const credential = new RequestCredentials(await connectedVault(), "alice", quiet).forToolkit(
      plain,
    );
    await expect(credential.get()).rejects.toThrow("declares no credential");
  });
});
