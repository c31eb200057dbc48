import type { ApiTokenCredential, PluginLogger, ToolkitDefinition } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-message.ts";
import { MIN_REDACTED_CHARS, redactPastedCredentials } from "./redact-pasted.ts";

const SECRET = "tkn_0123456789abcdefXYZ";
const OTHER = "tkn_fedcba9876543210QRS";

function recordingLogger(): PluginLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (fields: unknown, message?: string) => {
    lines.push(`${JSON.stringify(fields)} ${message ?? ""}`);
  };
  return { lines, debug: log, info: log, warn: log, error: log };
}

/** Recognises `tkn_…` words; stores with the context's server, if any. */
function tracker(seen: { stored: Record<string, string>[] } = { stored: [] }): ToolkitDefinition {
  const credential: ApiTokenCredential = {
    kind: "api-token",
    title: "Tracker",
    fields: { server: { label: "Server", secret: false }, token: { label: "Token", secret: true } },
    recognize(text, ctx) {
      seen.stored.push({ ...ctx.stored });
      const matched = [...text.matchAll(/tkn_[A-Za-z0-9]+/g)].map((match) => match[0]);
      if (matched.length === 0) return undefined;
      return { matched, values: { token: matched[0] as string, server: ctx.stored.server ?? "" } };
    },
  };
  return { name: "tracker", tools: {}, credential };
}

const options = (logger = recordingLogger()) => ({
  storedFor: () => ({ server: "https://tracker.example" }),
  logger,
});

describe("redactPastedCredentials", () => {
  it("redacts every user message, and returns only the new turn's credentials", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: `system ${SECRET}` },
      { role: "user", content: `old paste ${OTHER} and ${OTHER}` },
      { role: "assistant", content: "Stored." },
      {
        role: "user",
        content: [
          { type: "text", text: `new paste ${SECRET}` },
          { type: "image_url", image_url: { url: "data:," } },
        ],
      },
    ];
    const result = redactPastedCredentials(messages, [tracker()], options());
    expect(result.messages[0]).toBe(messages[0]);
    expect(result.messages[1]?.content).toBe(
      "old paste [Tracker token removed] and [Tracker token removed]",
    );
    expect(result.messages[2]).toBe(messages[2]);
    expect(result.messages[3]?.content).toEqual([
      { type: "text", text: "new paste [Tracker token removed]" },
      { type: "image_url", image_url: { url: "data:," } },
    ]);
    expect(result.redactions).toBe(2);
    expect(result.latest).toHaveLength(1);
    expect(result.latest[0]?.toolkit).toBe("tracker");
    expect(result.latest[0]?.recognized.values).toEqual({
      token: SECRET,
      server: "https://tracker.example",
    });
  });

  it("gives the same text for the same message on every turn, and context only to the new turn", () => {
    const seen = { stored: [] as Record<string, string>[] };
    const first = `my token ${SECRET}`;
    const turn1 = redactPastedCredentials(
      [{ role: "user", content: first }],
      [tracker(seen)],
      options(),
    );
    const turn2 = redactPastedCredentials(
      [
        { role: "user", content: first },
        { role: "assistant", content: "Stored." },
        { role: "user", content: "thanks" },
      ],
      [tracker(seen)],
      options(),
    );
    expect(turn2.messages[0]?.content).toBe(turn1.messages[0]?.content);
    expect(turn2.latest).toEqual([]);
    expect(seen.stored).toEqual([
      { server: "https://tracker.example" },
      {},
      { server: "https://tracker.example" },
    ]);
  });

  it("returns the messages untouched when no toolkit recognises credentials", () => {
    const messages: ChatMessage[] = [{ role: "user", content: SECRET }];
    const plain: ToolkitDefinition = { name: "plain", tools: {} };
    expect(redactPastedCredentials(messages, [plain], options()).messages).toBe(messages);
  });

  it(`ignores a match shorter than ${MIN_REDACTED_CHARS} characters`, () => {
    const atLimit = "x".repeat(MIN_REDACTED_CHARS);
    const below = "y".repeat(MIN_REDACTED_CHARS - 1);
    const exact: ToolkitDefinition = {
      name: "exact",
      tools: {},
      credential: {
        kind: "api-token",
        title: "Exact",
        fields: { token: { label: "Token", secret: true } },
        recognize: () => ({ matched: [atLimit, below, ""] }),
      },
    };
    const result = redactPastedCredentials(
      [{ role: "user", content: `${atLimit} ${below} end` }],
      [exact],
      options(),
    );
    expect(result.messages[0]?.content).toBe(`[Exact token removed] ${below} end`);
    expect(result.redactions).toBe(1);
  });

  it("logs a recogniser that throws without quoting it, and goes on", () => {
    const logger = recordingLogger();
    const broken: ToolkitDefinition = {
      name: "broken",
      tools: {},
      credential: {
        kind: "api-token",
        title: "Broken",
        fields: { token: { label: "Token", secret: true } },
        recognize: (text) => {
          throw new Error(`cannot parse ${text}`);
        },
      },
    };
    const result = redactPastedCredentials(
      [{ role: "user", content: `paste ${SECRET}` }],
      [broken, tracker()],
      options(logger),
    );
    expect(result.messages[0]?.content).toBe("paste [Tracker token removed]");
    expect(logger.lines.join("\n")).toContain("recogniser failed");
    expect(logger.lines.join("\n")).not.toContain(SECRET);
  });
});
