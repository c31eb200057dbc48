import { CsvError, parseCsv } from "./parse-csv.ts";
import {
  ENTRY_NAME,
  MAX_ENTRIES_PER_KIND,
  MAX_NAME_CHARS,
  MAX_TRIGGER_CHARS,
  MAX_TRIGGERS_PER_WORKFLOW,
  MAX_VALUE_CHARS,
  type TextKind,
  type Workbook,
  workbookSchema,
} from "./workbook-schema.ts";

/** Problems named per Sheet: enough to fix a Sheet, not a flood in every tool result. */
export const MAX_REPORTED_PROBLEMS = 10;

/** The Sheet's `kind` column → the workbook's part. */
const KINDS: Readonly<Record<string, TextKind | "triggers">> = {
  config: "config",
  workflow: "workflows",
  trigger: "triggers",
  query: "queries",
  message: "messages",
  prompt: "prompts",
  tool: "tools",
};

/** The Sheet cannot be used at all: the agent keeps what it had. */
export class SheetFormatError extends Error {
  override readonly name = "SheetFormatError";
}

export interface AppliedSheet {
  readonly workbook: Workbook;
  /** Rows that were skipped, each with its row number and why; the rest of the Sheet applies. */
  readonly problems: readonly string[];
}

/**
 * The workbook `base` with a Sheet's rows laid over it. The Sheet is one tab in a long format:
 * a header `kind,name,value` (more columns are the team's notes and ignored), then one row per
 * entry. A row replaces the entry of its kind and name, or adds it; `trigger` rows replace the
 * phrases of their workflow. A bad row is skipped and named in `problems`; a Sheet whose header
 * is wrong, or whose result is not a valid workbook, throws {@link SheetFormatError}.
 */
export function applySheet(base: Workbook, csv: string): AppliedSheet {
  let rows: string[][];
  try {
    rows = parseCsv(csv.replace(/^\uFEFF/, ""));
  } catch (error) {
    if (error instanceof CsvError)
      throw new SheetFormatError(`the Sheet is not CSV: ${error.message}`);
    throw error;
  }
  const header = (rows[0] ?? []).slice(0, 3).map((cell) => cell.trim().toLowerCase());
  if (header.join(",") !== "kind,name,value") {
    throw new SheetFormatError(
      "the Sheet's first row must be the header kind,name,value (its first tab is the one read)",
    );
  }
  const merged: Record<TextKind | "triggers", Record<string, unknown>> = {
    config: { ...base.config },
    workflows: { ...base.workflows },
    triggers: { ...base.triggers },
    queries: { ...base.queries },
    messages: { ...base.messages },
    prompts: { ...base.prompts },
    tools: { ...base.tools },
  };
  const problems: string[] = [];
  const triggersSeen = new Set<string>();
  for (const [index, cells] of rows.slice(1).entries()) {
    const row = index + 2;
    const [rawKind = "", rawName = "", rawValue = ""] = cells;
    const kindCell = rawKind.trim().toLowerCase();
    const name = rawName.trim();
    const value = rawValue.trim();
    if (kindCell === "" && name === "" && value === "") continue; // a blank line between sections
    if (kindCell.startsWith("#")) continue; // the team's comment row
    const kind = KINDS[kindCell];
    const max = kind === "triggers" ? MAX_TRIGGER_CHARS : MAX_VALUE_CHARS;
    const why = !kind
      ? `unknown kind '${clip(kindCell)}' (use ${Object.keys(KINDS).join(", ")})`
      : name.length > MAX_NAME_CHARS || !ENTRY_NAME.test(name)
        ? `'${clip(name)}' is not a name (lower-case letters, digits and _)`
        : value === ""
          ? `${kindCell} ${name} has no value`
          : value.length > max
            ? `${kindCell} ${name} is longer than ${max} characters`
            : undefined;
    if (!kind || why !== undefined) {
      problems.push(`row ${row}: ${why}`);
      continue;
    }
    const part = merged[kind];
    if (!Object.hasOwn(part, name) && Object.keys(part).length >= MAX_ENTRIES_PER_KIND) {
      problems.push(`row ${row}: more than ${MAX_ENTRIES_PER_KIND} entries of kind ${kindCell}`);
      continue;
    }
    if (kind === "triggers") {
      // The Sheet's phrases for a workflow replace the shipped ones rather than add to them.
      const phrases = triggersSeen.has(name) ? (part[name] as string[]) : [];
      if (phrases.length >= MAX_TRIGGERS_PER_WORKFLOW) {
        problems.push(`row ${row}: more than ${MAX_TRIGGERS_PER_WORKFLOW} phrases for ${name}`);
        continue;
      }
      triggersSeen.add(name);
      part[name] = [...phrases, value];
      continue;
    }
    part[name] = value;
  }
  const parsed = workbookSchema.safeParse(merged);
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new SheetFormatError(`the Sheet makes an invalid workbook: ${why}`);
  }
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
  return { workbook: parsed.data, problems: shown };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
