export { default as releaseManagerAgent } from "./agent.ts";
export { applySheet, MAX_REPORTED_PROBLEMS, SheetFormatError } from "./workbook/apply-sheet.ts";
export { DEFAULT_WORKBOOK } from "./workbook/default-workbook.ts";
export { type Workbook, workbookSchema } from "./workbook/workbook-schema.ts";
export {
  DEFAULT_TTL_SECONDS,
  DEFAULT_WAIT_MS,
  type EffectiveWorkbook,
  FAILURE_RETRY_MS,
  MAX_CACHED_USERS,
  MAX_SHEET_BYTES,
  MAX_TTL_SECONDS,
  MAX_WAIT_MS,
  MIN_WAIT_MS,
  SHEET_URL_VARIABLE,
  TTL_VARIABLE,
  WAIT_VARIABLE,
  WorkbookSource,
} from "./workbook/workbook-source.ts";
export { createReleaseDriveToolkit, releaseDriveToolkit } from "./workbook-toolkit.ts";
