import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AppDatabase, openDatabase } from "../database/index.ts";
import type { SessionKey } from "../sessions/session-store.ts";
import { ENGINES, type Engine, useTestDatabases } from "../testing/test-databases.ts";
import type { PendingApproval } from "./pending-approval.ts";
import { APPROVAL_RETENTION_MS, PendingApprovals } from "./pending-approvals.ts";

const T0 = Date.UTC(2026, 0, 1);
const KEY: SessionKey = { userId: "alice", agent: "jira-test", sessionId: "chat-1" };
const databases = useTestDatabases("approvals");
const open: AppDatabase[] = [];
let engine: Engine = "SQLite";

async function database(): Promise<AppDatabase> {
  const db = await openDatabase(await databases.fresh(engine));
  open.push(db);
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

function approval(id: string, overrides: Partial<PendingApproval> = {}): PendingApproval {
  return {
    id,
    ...KEY,
    prefixKey: "k1",
    calls: [{ callId: "call_1", name: "add_comment", args: { issue_key: "DEMO-1", body: "Hi" } }],
    createdAt: new Date(T0).toISOString(),
    expiresAt: new Date(T0 + 900_000).toISOString(),
    ...overrides,
  };
}

describe.each(ENGINES)("PendingApprovals (%s)", (each) => {
  beforeEach(() => {
    engine = each;
  });

  it("finds an open request only by its user, agent, conversation and asking answer", async () => {
    const db = await database();
    const store = new PendingApprovals(db.db, { now: () => T0 });
    await store.add(approval("a1"), "mac-1");
    const found = await store.findOpen(KEY, "k1");
    expect(found).toEqual({ approval: approval("a1"), mac: "mac-1" });
    expect(await store.findOpen({ ...KEY, userId: "mallory" }, "k1")).toBeUndefined();
    expect(await store.findOpen({ ...KEY, agent: "other" }, "k1")).toBeUndefined();
    expect(await store.findOpen({ ...KEY, sessionId: "chat-2" }, "k1")).toBeUndefined();
    expect(await store.findOpen(KEY, "k2")).toBeUndefined();
  });

  it("consumes once: a second consume, or one racing it, gets false", async () => {
    const db = await database();
    const store = new PendingApprovals(db.db, { now: () => T0 });
    await store.add(approval("a1"), "m");
    const results = await Promise.all([
      store.consume("a1"),
      store.consume("a1"),
      store.consume("a1"),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.consume("a1")).toBe(false);
    expect(await store.findOpen(KEY, "k1")).toBeUndefined();
    expect(await store.close("a1", "declined")).toBe(false);
  });

  it("consumes until the last millisecond before expiry, and not at it", async () => {
    const db = await database();
    let now = T0 + 900_000 - 1;
    const store = new PendingApprovals(db.db, { now: () => now });
    await store.add(approval("before"), "m");
    expect(await store.consume("before")).toBe(true);
    await store.add(approval("at", { prefixKey: "k2" }), "m");
    now = T0 + 900_000;
    expect(await store.consume("at")).toBe(false);
    // Still found, so the model can be told it expired; closing it works once.
    expect((await store.findOpen(KEY, "k2"))?.approval.id).toBe("at");
    expect(await store.close("at", "expired")).toBe(true);
    expect(await store.findOpen(KEY, "k2")).toBeUndefined();
  });

  it("keeps at most one open request per conversation: a new one supersedes the last", async () => {
    const db = await database();
    const store = new PendingApprovals(db.db, { now: () => T0 });
    await store.add(approval("a1"), "m");
    await store.add(approval("a2", { prefixKey: "k2" }), "m");
    expect(await store.findOpen(KEY, "k1")).toBeUndefined();
    expect(await store.consume("a1")).toBe(false);
    expect((await store.findOpen(KEY, "k2"))?.approval.id).toBe("a2");
    // Another conversation's request is untouched.
    await store.add(approval("b1", { sessionId: "chat-9" }), "m");
    expect((await store.findOpen(KEY, "k2"))?.approval.id).toBe("a2");
  });

  it("forgets rows a day after they expired", async () => {
    const db = await database();
    let now = T0;
    const store = new PendingApprovals(db.db, { now: () => now });
    await store.add(approval("old", { sessionId: "chat-old" }), "m");
    now = T0 + 900_000 + APPROVAL_RETENTION_MS + 1;
    await store.add(approval("new", { createdAt: new Date(now).toISOString() }), "m");
    const ids = await db.db.selectFrom("pending_approvals").select("id").execute();
    expect(ids.map((row) => row.id)).toEqual(["new"]);
  });
});
