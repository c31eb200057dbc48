import { describe, expect, it } from "vitest";
import { ApprovalSigner } from "./approval-signer.ts";
import { canonicalJson } from "./canonical-json.ts";
import type { PendingApproval } from "./pending-approval.ts";

const KEY = new Uint8Array(32).fill(7);
const approval: PendingApproval = {
  id: "3f1c2f9e-0000-4000-8000-000000000001",
  userId: "alice",
  agent: "jira-test",
  sessionId: "chat-1",
  prefixKey: "prefix-key-1",
  calls: [{ callId: "call_1", name: "add_comment", args: { issue_key: "DEMO-1", body: "Hi" } }],
  createdAt: "2026-01-01T00:00:00.000Z",
  expiresAt: "2026-01-01T00:15:00.000Z",
};

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps arrays in order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: "x" }, null] })).toBe(
      '{"a":[{"c":"x","d":2},null],"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it("refuses what JSON cannot hold instead of dropping it", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });
});

describe("ApprovalSigner", () => {
  const signer = new ApprovalSigner(KEY);
  const mac = signer.sign(approval);

  it("verifies its own MAC, whatever order the args' keys come back in", () => {
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(approval, mac)).toBe(true);
    const reordered = {
      ...approval,
      calls: [{ callId: "call_1", name: "add_comment", args: { body: "Hi", issue_key: "DEMO-1" } }],
    };
    expect(signer.verify(reordered, mac)).toBe(true);
  });

  it.each([
    ["user", { userId: "mallory" }],
    ["agent", { agent: "other-agent" }],
    ["conversation", { sessionId: "chat-2" }],
    ["asking answer", { prefixKey: "prefix-key-2" }],
    ["expiry", { expiresAt: "2026-01-02T00:15:00.000Z" }],
    [
      "arguments",
      {
        calls: [
          { callId: "call_1", name: "add_comment", args: { issue_key: "DEMO-1", body: "Hi!" } },
        ],
      },
    ],
    [
      "tool",
      {
        calls: [
          { callId: "call_1", name: "create_issue", args: { issue_key: "DEMO-1", body: "Hi" } },
        ],
      },
    ],
    ["an added call", { calls: [...approval.calls, ...approval.calls] }],
  ])("refuses a row whose %s changed", (_what, change) => {
    expect(signer.verify({ ...approval, ...change } as PendingApproval, mac)).toBe(false);
  });

  it("refuses another key's MAC, a truncated MAC and garbage", () => {
    const other = new ApprovalSigner(new Uint8Array(32).fill(8));
    expect(other.verify(approval, mac)).toBe(false);
    expect(signer.verify(approval, mac.slice(0, -1))).toBe(false);
    expect(signer.verify(approval, "")).toBe(false);
  });

  it("refuses a short key and never shows its key", () => {
    expect(() => new ApprovalSigner(new Uint8Array(16))).toThrow("at least 32 bytes");
    expect(JSON.stringify({ signer })).toBe('{"signer":"[ApprovalSigner]"}');
  });
});
