import type { OAuth2Credential } from "@agentllm/sdk";

/** Read-only: the tools read and search, never change a file. */
export const DRIVE_READONLY_SCOPE = "https://www.googleapis.com/auth/drive.readonly";

export const driveCredential: OAuth2Credential = {
  kind: "oauth2",
  provider: "google",
  title: "Google Drive",
  scopes: [DRIVE_READONLY_SCOPE],
};
