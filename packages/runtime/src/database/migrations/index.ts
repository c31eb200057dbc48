import type { Migration } from "kysely";
import { createSessions } from "./0001-create-sessions.ts";
import { createUserSettings } from "./0002-create-user-settings.ts";
import { indexTurnsByPrefixKey } from "./0003-index-turns-by-prefix-key.ts";
import { createCredentials } from "./0004-create-credentials.ts";
import { createConnectTickets } from "./0005-create-connect-tickets.ts";
import { createOAuthPending } from "./0006-create-oauth-pending.ts";
import { createPendingApprovals } from "./0007-create-pending-approvals.ts";
import { createConnectRateLimits } from "./0008-create-connect-rate-limits.ts";

/**
 * Every migration, keyed by the name kysely records in `kysely_migration`. Listed by hand
 * rather than read from the folder so it works from tsx, a bundle or a test alike.
 * Names sort in run order; never rename or reorder one that has shipped, only append.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  "0001-create-sessions": createSessions,
  "0002-create-user-settings": createUserSettings,
  "0003-index-turns-by-prefix-key": indexTurnsByPrefixKey,
  "0004-create-credentials": createCredentials,
  "0005-create-connect-tickets": createConnectTickets,
  "0006-create-oauth-pending": createOAuthPending,
  "0007-create-pending-approvals": createPendingApprovals,
  "0008-create-connect-rate-limits": createConnectRateLimits,
});
