import { OAUTH_FIELDS } from "../vault/oauth-access.ts";
import type { ConnectionStatus } from "../vault/request-credentials.ts";

/** Metadata entries shown per toolkit, and characters per value: a note, not a dump. */
export const MAX_NOTE_METADATA_ENTRIES = 8;
export const MAX_NOTE_METADATA_CHARS = 200;

/**
 * Metadata that changes without the user doing anything: an OAuth access token's expiry moves
 * on every renewal (hourly). The note is part of the system instruction, the front of every
 * prompt, so such a value would void Gemini's prefix cache for the whole conversation each
 * time, and it tells the model nothing.
 */
const VOLATILE_METADATA: ReadonlySet<string> = new Set([OAUTH_FIELDS.expiresAt]);

/**
 * The line of the system instruction that tells the model which services the user has
 * connected: yes or no, and the credential's non-secret metadata (server URL, account name).
 * Never a secret value: those are not in `ConnectionStatus` at all. It changes only when the
 * user connects or disconnects a service, not from one request to the next.
 */
export function connectionsNote(
  statuses: readonly ConnectionStatus[],
  signedIn: boolean,
  options: {
    /** The runtime's disconnect tool, when the model has it (see vault/disconnect-service.ts). */
    readonly disconnectTool?: string | undefined;
  } = {},
): string | undefined {
  if (statuses.length === 0) return undefined;
  if (!signedIn) {
    const titles = statuses.map((status) => status.title).join(", ");
    return `(This request has no signed-in user, so services that act as the user (${titles}) cannot be used; a tool that needs one tells the user so.)`;
  }
  const lines = statuses.map((status) => {
    if (!status.connected) return `- ${status.title}: not connected`;
    const details = Object.entries(status.metadata)
      .filter(([key]) => !VOLATILE_METADATA.has(key))
      .slice(0, MAX_NOTE_METADATA_ENTRIES)
      .map(([key, value]) => `${oneLine(key)}: ${oneLine(value)}`)
      .join("; ");
    return `- ${status.title}: connected${details ? ` (${details})` : ""}`;
  });
  const note = `(Services the user has connected. When a tool needs one that is not connected, just call it: the user is then given a link to connect it.)\n${lines.join("\n")}`;
  if (!options.disconnectTool) return note;
  const names = statuses.map((status) => `${status.toolkit} (${status.title})`).join(", ");
  return `${note}\n(When the user asks to disconnect a service, call ${options.disconnectTool} with its name: ${names}. Never do so unasked.)`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_NOTE_METADATA_CHARS
    ? `${flat.slice(0, MAX_NOTE_METADATA_CHARS)}…`
    : flat;
}
