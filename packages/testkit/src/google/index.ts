export {
  DRIVE_MIME,
  type FakeDriveFile,
  seedDriveFiles,
  TEAM_MAPPING_DOC_ID,
} from "./drive-seed.ts";
export {
  DRIVE_EXPORT_LIMIT_BYTES,
  type DriveFault,
  type FakeDrive,
  type FakeDriveOptions,
  type RecordedDriveRequest,
  startFakeDrive,
} from "./drive-server.ts";
export type { FakeGoogleClient, FakeGoogleUser } from "./oauth-state.ts";
export {
  RELEASE_TEAM_EMAIL,
  RELEASE_TEAM_GOOGLE_USER,
  RELEASE_WORKBOOK_CSV,
  RELEASE_WORKBOOK_SHEET_ID,
  releaseWorkbookFile,
} from "./release-workbook-seed.ts";
export type { FakeGoogle, FakeGoogleOptions, RecordedGoogleRequest } from "./server.ts";
export { startFakeGoogle } from "./server.ts";
export { type FakeGoogleGrant, grantFromFakeGoogle } from "./test-grant.ts";
