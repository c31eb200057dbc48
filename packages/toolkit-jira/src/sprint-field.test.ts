import { describe, expect, it } from "vitest";
import { currentSprint, sprintsInFields } from "./sprint-field.ts";

describe("the sprint field", () => {
  it("reads Data Center's legacy strings, commas in a name or goal included", () => {
    const sprints = sprintsInFields({
      customfield_10104: [
        "com.atlassian.greenhopper.service.sprint.Sprint@5f3a[id=7,rapidViewId=3,state=CLOSED,name=Sprint 7, the long one,startDate=2026-01-05T09:00:00.000Z,endDate=2026-01-16T17:00:00.000Z,completeDate=2026-01-16T16:00:00.000Z,sequence=7,goal=Ship, then rest]",
        "com.atlassian.greenhopper.service.sprint.Sprint@5f3b[id=8,rapidViewId=3,state=ACTIVE,name=Sprint 8,startDate=2026-01-19T09:00:00.000Z,endDate=<null>,completeDate=<null>,sequence=8,goal=]",
      ],
      customfield_10000: ["not a sprint"],
      labels: ["x"],
    });
    expect(sprints.map((s) => [s.id, s.name, s.state, s.boardId, s.goal])).toEqual([
      [7, "Sprint 7, the long one", "closed", 3, "Ship, then rest"],
      [8, "Sprint 8", "active", 3, undefined],
    ]);
    expect(sprints[1]?.endDate).toBeUndefined();
    expect(currentSprint(sprints)?.id).toBe(8);
  });

  it("reads Cloud's objects and prefers active, then future, then the last closed sprint", () => {
    const cloud = (id: number, state: string) => ({ id, name: `S${id}`, state, boardId: 1 });
    const pick = (...list: object[]) =>
      currentSprint(sprintsInFields({ customfield_10020: list }))?.id;
    expect(pick(cloud(1, "closed"), cloud(2, "active"), cloud(3, "future"))).toBe(2);
    expect(pick(cloud(1, "closed"), cloud(3, "future"))).toBe(3);
    expect(pick(cloud(1, "closed"), cloud(2, "closed"))).toBe(2);
    expect(pick({ id: "x", name: 1 })).toBeUndefined();
    expect(currentSprint(sprintsInFields({ customfield_10020: null }))).toBeUndefined();
  });
});
