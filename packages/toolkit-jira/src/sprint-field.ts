/**
 * Sprints as an issue's sprint field holds them. The field is a custom field whose id differs
 * between sites (`customfield_10020` on most Cloud sites, anything on Data Center), so it is
 * recognised by its value: Cloud sends sprint objects, Data Center the legacy `toString()` of
 * Greenhopper's Sprint class, `com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=12,…]`.
 */
export interface SprintRef {
  readonly id: number;
  readonly name: string;
  /** Lower case, as the Agile API writes it: `active`, `closed`, `future`. */
  readonly state: string;
  readonly boardId: number | undefined;
  readonly goal: string | undefined;
  readonly startDate: string | undefined;
  readonly endDate: string | undefined;
  readonly completeDate: string | undefined;
}

const LEGACY = /^com\.atlassian\.greenhopper\.service\.sprint\.Sprint@[0-9a-f]*\[(.*)\]$/s;

/** Every sprint found in an issue's custom fields, in the order Jira lists them. */
export function sprintsInFields(fields: Readonly<Record<string, unknown>>): SprintRef[] {
  const found: SprintRef[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith("customfield_") || !Array.isArray(value)) continue;
    for (const item of value) {
      const sprint = typeof item === "string" ? fromLegacy(item) : fromObject(item);
      if (sprint) found.push(sprint);
    }
  }
  return found;
}

/**
 * The sprint an issue is in now: the active one, else the next future one, else the last
 * closed one (the field keeps every sprint the issue passed through).
 */
export function currentSprint(sprints: readonly SprintRef[]): SprintRef | undefined {
  return (
    sprints.find((s) => s.state === "active") ??
    sprints.find((s) => s.state === "future") ??
    sprints.filter((s) => s.state === "closed").at(-1) ??
    sprints.at(-1)
  );
}

function fromObject(item: unknown): SprintRef | undefined {
  if (!item || typeof item !== "object") return undefined;
  const o = item as Record<string, unknown>;
  const id = typeof o.id === "number" ? o.id : Number(o.id);
  if (!Number.isInteger(id) || typeof o.name !== "string" || typeof o.state !== "string") {
    return undefined;
  }
  return {
    id,
    name: o.name,
    state: o.state.toLowerCase(),
    boardId: typeof o.boardId === "number" ? o.boardId : undefined,
    goal: text(o.goal),
    startDate: text(o.startDate),
    endDate: text(o.endDate),
    completeDate: text(o.completeDate),
  };
}

function fromLegacy(item: string): SprintRef | undefined {
  const body = LEGACY.exec(item)?.[1];
  if (body === undefined) return undefined;
  // Values may hold commas (a goal, a name): a part starts only where `,key=` does.
  const values = new Map<string, string>();
  for (const part of body.split(/,(?=[A-Za-z]+=)/)) {
    const eq = part.indexOf("=");
    if (eq > 0) values.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const id = Number(values.get("id"));
  const name = values.get("name");
  const state = values.get("state");
  if (!Number.isInteger(id) || !name || !state) return undefined;
  const board = Number(values.get("rapidViewId"));
  return {
    id,
    name,
    state: state.toLowerCase(),
    boardId: Number.isInteger(board) ? board : undefined,
    goal: text(values.get("goal")),
    startDate: text(values.get("startDate")),
    endDate: text(values.get("endDate")),
    completeDate: text(values.get("completeDate")),
  };
}

/** A string value; Greenhopper writes a missing one as `<null>`. */
function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value !== "<null>" ? value : undefined;
}
