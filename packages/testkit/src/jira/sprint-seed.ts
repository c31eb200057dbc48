/** A Jira Software board, as `/rest/agile/1.0/board` lists it. */
export interface FakeBoard {
  readonly id: number;
  readonly name: string;
  /** Only scrum boards have sprints; a kanban board answers 400 for them, as Jira does. */
  readonly type: "scrum" | "kanban";
  readonly projectKey: string;
}

/** A sprint of a board. Dates are ISO 8601 in UTC, as the Agile API returns them. */
export interface FakeSprint {
  readonly id: number;
  readonly boardId: number;
  readonly name: string;
  readonly state: "closed" | "active" | "future";
  readonly goal?: string;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly completeDate?: string;
}

export const seedBoards: readonly FakeBoard[] = [
  { id: 1, name: "DEMO board", type: "scrum", projectKey: "DEMO" },
  { id: 2, name: "OPS board", type: "kanban", projectKey: "OPS" },
];

export const seedSprints: readonly FakeSprint[] = [
  {
    id: 10,
    boardId: 1,
    name: "DEMO Sprint 10",
    state: "closed",
    goal: "Exports that finance can trust",
    startDate: "2026-10-26T09:00:00.000Z",
    endDate: "2026-11-06T17:00:00.000Z",
    completeDate: "2026-11-06T16:30:00.000Z",
  },
  {
    id: 11,
    boardId: 1,
    name: "DEMO Sprint 11",
    state: "closed",
    goal: "Faster search and reports",
    startDate: "2026-11-09T09:00:00.000Z",
    endDate: "2026-11-20T17:00:00.000Z",
    completeDate: "2026-11-20T16:45:00.000Z",
  },
  {
    id: 12,
    boardId: 1,
    name: "DEMO Sprint 12",
    state: "active",
    goal: "Billing API ready for the 4.4 release",
    startDate: "2026-11-23T09:00:00.000Z",
    endDate: "2026-12-04T17:00:00.000Z",
  },
  // Jira gives a future sprint no dates until someone plans them.
  { id: 13, boardId: 1, name: "DEMO Sprint 13", state: "future", goal: "Audit log" },
];

/**
 * The sprints of generated issue DEMO-n, oldest first, as Jira's sprint field keeps them: an
 * issue not done when its sprint closed moves on to the next one and keeps the closed one too.
 * DEMO-4…9 start in sprint 10, 10…19 in 11, 20…31 in 12 (active), 32…35 are planned for 13,
 * 36…40 stay in the backlog.
 */
export function seedSprintsOfDemoIssue(n: number, done: boolean): number[] {
  if (n >= 36) return [];
  if (n >= 32) return [13];
  const first = n < 10 ? 10 : n < 20 ? 11 : 12;
  const through = done ? first : 12;
  return Array.from({ length: through - first + 1 }, (_, i) => first + i);
}
