import { defineToolkit } from "@agentllm/sdk";
import { driveCredential } from "./drive-credential.ts";
import type { DriveSettings } from "./drive-session.ts";
import { findFilesTool } from "./tools/find-files.ts";
import { getDocumentContentTool } from "./tools/get-document-content.ts";
import { getUserInfoTool } from "./tools/get-user-info.ts";

export type GoogleDriveToolkitOptions = DriveSettings;

/** The Google Drive toolkit with its options; `googleDriveToolkit` is the one agents use. */
export function createGoogleDriveToolkit(options: GoogleDriveToolkitOptions = {}) {
  return defineToolkit({
    name: "google_drive",
    description: "Reads and searches the user's Google Drive (Docs, Sheets, Slides) as the user.",
    credential: driveCredential,
    tools: {
      get_document_content: getDocumentContentTool(options),
      get_user_info: getUserInfoTool(options),
      find_files: findFilesTool(options),
    },
  });
}

export const googleDriveToolkit = createGoogleDriveToolkit();
