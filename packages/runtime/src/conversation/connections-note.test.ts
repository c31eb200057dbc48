import { describe, expect, it } from "vitest";
import {
  connectionsNote,
  MAX_NOTE_METADATA_CHARS,
  MAX_NOTE_METADATA_ENTRIES,
} from "./connections-note.ts";

const jira = { toolkit: "jira", title: "Jira" };

describe("connectionsNote", () => {
  it("says nothing for an agent whose toolkits need no credential", () => {
    expect(connectionsNote([], true)).toBeUndefined();
  });

  it("lists connected and not connected services with their metadata on one line", () => {
    const note = connectionsNote(
      [
        {
          ...jira,
          connected: true,
          metadata: { serverUrl: "https://jira.example", account: "Dana\nReyes" },
        },
        { toolkit: "drive", title: "Google Drive", connected: false, metadata: {} },
      ],
      true,
    );
    expect(note).toContain(
      "- Jira: connected (serverUrl: https://jira.example; account: Dana Reyes)",
    );
    expect(note).toContain("- Google Drive: not connected");
  });

  it("leaves out an OAuth token's expiry, which changes on every renewal", () => {
    const google = { toolkit: "google_drive", title: "Google Drive", connected: true };
    const note = (expiresAt: string) =>
      connectionsNote(
        [
          {
            ...google,
            metadata: { access_token_expires_at: expiresAt, email: "dana@example.com" },
          },
        ],
        true,
      );
    expect(note("1796030859117")).toContain("- Google Drive: connected (email: dana@example.com)");
    expect(note("1796030859117")).toBe(note("1796034459117"));
  });

  it("cuts a metadata value at the limit", () => {
    const atLimit = "a".repeat(MAX_NOTE_METADATA_CHARS);
    const note = connectionsNote(
      [{ ...jira, connected: true, metadata: { a: atLimit, b: `${atLimit}b` } }],
      true,
    );
    expect(note).toContain(`a: ${atLimit};`);
    expect(note).toContain(`b: ${atLimit}…`);
  });

  it(`shows at most ${MAX_NOTE_METADATA_ENTRIES} metadata entries`, () => {
    const metadata = Object.fromEntries(
      Array.from({ length: MAX_NOTE_METADATA_ENTRIES + 1 }, (_, i) => [`k${i}`, `v${i}`]),
    );
    const note = connectionsNote([{ ...jira, connected: true, metadata }], true);
    expect(note).toContain(`k${MAX_NOTE_METADATA_ENTRIES - 1}: v${MAX_NOTE_METADATA_ENTRIES - 1}`);
    expect(note).not.toContain(`k${MAX_NOTE_METADATA_ENTRIES}:`);
  });

  it("tells the model an anonymous request cannot use them", () => {
    expect(connectionsNote([{ ...jira, connected: false, metadata: {} }], false)).toContain(
      "no signed-in user",
    );
  });

  it("names the services the user may disconnect when the model has the tool", () => {
    const statuses = [
      { ...jira, connected: true, metadata: {} },
      { toolkit: "drive", title: "Google Drive", connected: false, metadata: {} },
    ];
    expect(connectionsNote(statuses, true)).not.toContain("disconnect");
    expect(connectionsNote(statuses, true, { disconnectTool: "disconnect_service" })).toContain(
      "call disconnect_service with its name: jira (Jira), drive (Google Drive)",
    );
  });
});
