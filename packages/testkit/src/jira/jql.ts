import type { FakeIssue, FakeJiraUser } from "./seed.ts";
import type { FakeSprint } from "./sprint-seed.ts";

/**
 * A small JQL subset, enough for the toolkit's searches: `field = v`, `!=`, `in (…)`,
 * `not in (…)` over project, status, issuetype (type), priority, fixVersion, labels, assignee
 * (`currentUser()`, `EMPTY`), component, sprint (an id or name, `openSprints()`, `closedSprints()`,
 * `futureSprints()`); clauses joined by AND; `ORDER BY created|updated|key
 * [ASC|DESC]`. Anything else is a JQL error in Jira's words, so a client sees a real 400.
 */
export class JqlError extends Error {
  override readonly name = "JqlError";
}

export interface JqlQuery {
  readonly matches: (issue: FakeIssue) => boolean;
  readonly compare: (a: FakeIssue, b: FakeIssue) => number;
  /** Whether the query restricts the issues at all (Cloud refuses one that does not). */
  readonly bounded: boolean;
}

type Token = { kind: "word" | "string" | "punct"; text: string; at: number };

const FIELDS: Readonly<Record<string, string>> = {
  project: "project",
  status: "status",
  issuetype: "issuetype",
  type: "issuetype",
  priority: "priority",
  fixversion: "fixVersion",
  labels: "labels",
  assignee: "assignee",
  component: "component",
  sprint: "sprint",
};
/** Jira's sprint functions: open sprints are the ones not completed, future ones included. */
const SPRINT_FUNCTIONS: Readonly<Record<string, readonly FakeSprint["state"][]>> = {
  "opensprints()": ["active", "future"],
  "closedsprints()": ["closed"],
  "futuresprints()": ["future"],
};
const ORDER_FIELDS = ["created", "updated", "key"];

export function parseJql(
  jql: string,
  ctx: {
    readonly user: FakeJiraUser;
    readonly users: readonly FakeJiraUser[];
    readonly projects: ReadonlySet<string>;
    readonly sprints?: readonly FakeSprint[];
  },
): JqlQuery {
  const sprints = ctx.sprints ?? [];
  const tokens = tokenize(jql);
  let i = 0;
  const peek = () => tokens[i];
  const word = (t: Token | undefined) => (t?.kind === "word" ? t.text.toLowerCase() : undefined);
  const expected = (what: string): never => {
    const t = peek();
    throw new JqlError(
      t
        ? `Error in the JQL Query: Expected ${what} but got '${t.text}'. (line 1, character ${t.at + 1})`
        : `Error in the JQL Query: Expected ${what} but reached the end of the query.`,
    );
  };
  const value = (): string => {
    const t = peek();
    if (!t || t.kind === "punct") return expected("a value");
    i++;
    if (t.kind === "word" && tokens[i]?.text === "(" && tokens[i + 1]?.text === ")") {
      i += 2;
      return `${t.text}()`;
    }
    return t.text;
  };

  const clauses: ((issue: FakeIssue) => boolean)[] = [];
  while (i < tokens.length && word(peek()) !== "order") {
    if (clauses.length > 0) {
      if (word(peek()) !== "and") {
        const w = word(peek());
        if (w === "or" || w === "not") {
          throw new JqlError(`The fake Jira's JQL has no '${peek()?.text}'; only AND.`);
        }
        expected("'AND' or 'ORDER BY'");
      }
      i++;
    }
    const fieldToken = peek();
    if (fieldToken?.kind !== "word" && fieldToken?.kind !== "string") expected("a field name");
    i++;
    const field = FIELDS[(fieldToken as Token).text.toLowerCase()];
    if (!field) {
      throw new JqlError(
        `Field '${(fieldToken as Token).text}' does not exist or you do not have permission to view it.`,
      );
    }
    let negate = false;
    let values: string[];
    const op = peek();
    if (op?.text === "=" || op?.text === "!=") {
      i++;
      negate = op.text === "!=";
      values = [value()];
    } else if (word(op) === "in" || (word(op) === "not" && word(tokens[i + 1]) === "in")) {
      negate = word(op) === "not";
      i += negate ? 2 : 1;
      const fn = `${word(peek()) ?? ""}()`;
      if (field === "sprint" && SPRINT_FUNCTIONS[fn] && tokens[i + 1]?.text === "(") {
        // `sprint in openSprints()`: the function stands for the list of its sprints' ids.
        i += 3;
        const states = SPRINT_FUNCTIONS[fn];
        const ids = sprints.filter((s) => states.includes(s.state)).map((s) => String(s.id));
        const wantedIds = new Set(ids);
        clauses.push((issue) => {
          const hit = (issue.sprints ?? []).some((id) => wantedIds.has(String(id)));
          return negate ? !hit : hit;
        });
        continue;
      }
      if (peek()?.text !== "(") expected("'('");
      i++;
      values = [value()];
      while (peek()?.text === ",") {
        i++;
        values.push(value());
      }
      if (peek()?.text !== ")") expected("')'");
      i++;
    } else {
      return expected("operator such as '=', '!=', 'in', 'not in'");
    }
    if (field === "project") {
      for (const v of values) {
        if (!ctx.projects.has(v.toUpperCase())) {
          throw new JqlError(`The value '${v}' does not exist for the field 'project'.`);
        }
      }
    }
    if (field === "sprint") {
      for (const v of values) {
        const known = sprints.some(
          (s) => String(s.id) === v || s.name.toLowerCase() === v.toLowerCase(),
        );
        if (!known && v.toLowerCase() !== "empty") {
          throw new JqlError(`The value '${v}' does not exist for the field 'sprint'.`);
        }
      }
    }
    const wanted = values.map((v) => v.toLowerCase());
    clauses.push((issue) => {
      const have = fieldValues(issue, field, ctx.users, sprints).map((v) => v.toLowerCase());
      const hit = wanted.some((w) =>
        w === "empty"
          ? have.length === 0
          : w === "currentuser()"
            ? fieldValues(issue, field, ctx.users).includes(ctx.user.id)
            : have.includes(w),
      );
      return negate ? !hit : hit;
    });
  }

  const orders: { field: string; desc: boolean }[] = [];
  if (word(peek()) === "order") {
    i++;
    if (word(peek()) !== "by") expected("'BY'");
    i++;
    do {
      if (orders.length > 0) i++;
      const f = word(peek());
      if (!f || !ORDER_FIELDS.includes(f)) {
        throw new JqlError(
          `The fake Jira orders by created, updated or key only (got '${peek()?.text ?? ""}').`,
        );
      }
      i++;
      const dir = word(peek());
      if (dir === "asc" || dir === "desc") i++;
      orders.push({ field: f, desc: dir === "desc" });
    } while (peek()?.text === ",");
  }
  if (i < tokens.length) expected("the end of the query");

  return {
    bounded: clauses.length > 0,
    matches: (issue) => clauses.every((clause) => clause(issue)),
    compare: (a, b) => {
      // Jira's default order for a query without ORDER BY is by key, newest first.
      for (const { field, desc } of orders.length > 0 ? orders : [{ field: "key", desc: true }]) {
        const c =
          field === "key"
            ? compareKeys(a.key, b.key)
            : a[field as "created"].localeCompare(b[field as "created"]);
        if (c !== 0) return desc ? -c : c;
      }
      return 0;
    },
  };
}

function fieldValues(
  issue: FakeIssue,
  field: string,
  users: readonly FakeJiraUser[],
  sprints: readonly FakeSprint[] = [],
): string[] {
  switch (field) {
    case "project":
      return [issue.key.split("-")[0] as string];
    case "status":
      return [issue.status];
    case "issuetype":
      return [issue.type];
    case "priority":
      return issue.priority ? [issue.priority] : [];
    case "fixVersion":
      return [...(issue.fixVersions ?? [])];
    case "labels":
      return [...(issue.labels ?? [])];
    case "component":
      return [...(issue.components ?? [])];
    case "sprint":
      return (issue.sprints ?? []).flatMap((id) => [
        String(id),
        ...sprints.filter((s) => s.id === id).map((s) => s.name),
      ]);
    default: {
      const user = users.find((u) => u.id === issue.assignee);
      return user ? [user.id, user.displayName, user.emailAddress] : [];
    }
  }
}

function compareKeys(a: string, b: string): number {
  const [pa = "", na = "0"] = a.split("-");
  const [pb = "", nb = "0"] = b.split("-");
  return pa === pb ? Number(na) - Number(nb) : pa.localeCompare(pb);
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < jql.length) {
    const c = jql[at] as string;
    if (/\s/.test(c)) {
      at++;
    } else if (c === '"' || c === "'") {
      const end = jql.indexOf(c, at + 1);
      if (end < 0) {
        throw new JqlError(
          `Error in the JQL Query: The quoted string ${jql.slice(at)} has not been completed. (line 1, character ${at + 1})`,
        );
      }
      tokens.push({ kind: "string", text: jql.slice(at + 1, end), at });
      at = end + 1;
    } else if (/^(!=|!~|<=|>=|[=~<>(),])/.test(jql.slice(at))) {
      // Every JQL operator is a token, so one outside the subset is an "expected operator".
      const op = (/^(!=|!~|<=|>=|[=~<>(),])/.exec(jql.slice(at)) as RegExpExecArray)[0];
      tokens.push({ kind: "punct", text: op, at });
      at += op.length;
    } else {
      const m = /^[A-Za-z0-9_.@-]+/.exec(jql.slice(at));
      if (!m) {
        throw new JqlError(
          `Error in the JQL Query: The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}' instead. (line 1, character ${at + 1})`,
        );
      }
      tokens.push({ kind: "word", text: m[0], at });
      at += m[0].length;
    }
  }
  return tokens;
}
