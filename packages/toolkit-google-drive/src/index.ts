export { DocumentRefError, documentIdOf } from "./document-ref.ts";
export {
  DEFAULT_DRIVE_BASE_URL,
  DEFAULT_DRIVE_TIMEOUT_MS,
  DriveHttpError,
  DriveUnavailableError,
  driveGet,
  driveJson,
  MAX_DRIVE_JSON_BYTES,
} from "./drive-client.ts";
export { DRIVE_READONLY_SCOPE, driveCredential } from "./drive-credential.ts";
export { asDriveUser, type DriveSettings } from "./drive-session.ts";
export {
  createGoogleDriveToolkit,
  type GoogleDriveToolkitOptions,
  googleDriveToolkit,
} from "./drive-toolkit.ts";
export { DEFAULT_FIND_LIMIT, MAX_FIND_LIMIT, MAX_QUERY_CHARS } from "./tools/find-files.ts";
export {
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENT_CHARS,
  MAX_REF_CHARS,
} from "./tools/get-document-content.ts";
