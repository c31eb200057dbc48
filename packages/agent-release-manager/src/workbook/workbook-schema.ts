import { z } from "@agentllm/sdk";

/** Longest entry name: a name is a key the model passes back, not prose. */
export const MAX_NAME_CHARS = 64;
/** Longest value: a workflow's steps or an announcement template fit in a few hundred words. */
export const MAX_VALUE_CHARS = 4_000;
/** Entries of one kind, and phrases of one workflow: a workbook is read by a model, not a database. */
export const MAX_ENTRIES_PER_KIND = 60;
export const MAX_TRIGGERS_PER_WORKFLOW = 12;
/** Longest trigger phrase: "feature freeze announcement", not a paragraph. */
export const MAX_TRIGGER_CHARS = 120;

/** What a workbook entry is called: `code_freeze_announcement`, `blocker_bugs`. */
export const ENTRY_NAME = /^[a-z][a-z0-9_]*$/;
/** A template's placeholder: `{version}`, `{freeze_date}`. */
export const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;
/** Jira project keys: upper-case letter first, then letters, digits or `_`. */
const PROJECT_KEY = /^[A-Z][A-Z0-9_]{0,9}$/;

const entryName = z
  .string()
  .max(MAX_NAME_CHARS, `a name is at most ${MAX_NAME_CHARS} characters`)
  .regex(ENTRY_NAME, "a name is lower-case letters, digits and _ (starting with a letter)");
const text = z
  .string()
  .trim()
  .min(1, "the value is empty")
  .max(MAX_VALUE_CHARS, `a value is at most ${MAX_VALUE_CHARS} characters`);
const entries = z
  .record(entryName, text)
  .refine(
    (record) => Object.keys(record).length <= MAX_ENTRIES_PER_KIND,
    `at most ${MAX_ENTRIES_PER_KIND} entries of one kind`,
  );

/**
 * The release manager's whole playbook, as data. Every kind maps an entry name to a text;
 * `triggers` maps a workflow's name to the user phrases that select it.
 */
export const workbookSchema = z
  .object({
    /** Project facts: `project_key`, `release_cadence`, channel names… Filled into templates. */
    config: entries.refine(
      (config) => PROJECT_KEY.test(config.project_key ?? ""),
      "config needs a project_key such as DEMO (upper-case letters, digits, _)",
    ),
    /** What to do for one kind of request, step by step, naming queries, messages and tools. */
    workflows: entries,
    triggers: z
      .record(
        entryName,
        z
          .array(z.string().trim().toLowerCase().min(1).max(MAX_TRIGGER_CHARS))
          .min(1)
          .max(MAX_TRIGGERS_PER_WORKFLOW),
      )
      .refine(
        (record) => Object.keys(record).length <= MAX_ENTRIES_PER_KIND,
        `at most ${MAX_ENTRIES_PER_KIND} workflows with triggers`,
      ),
    /** JQL with placeholders: `project = {project_key} AND fixVersion = "{version}"`. */
    queries: entries,
    /** Chat messages with placeholders: announcements for the team's channels. */
    messages: entries,
    /** Longer guidance the model asks for by name (how to write a status summary…). */
    prompts: entries,
    /** When to use which tool, in the team's words. */
    tools: entries,
  })
  .superRefine((workbook, ctx) => {
    for (const name of Object.keys(workbook.triggers)) {
      if (!(name in workbook.workflows)) {
        ctx.addIssue({
          code: "custom",
          path: ["triggers", name],
          message: `triggers name the workflow '${name}', which the workbook does not have`,
        });
      }
    }
  });

export type Workbook = z.infer<typeof workbookSchema>;
/** The kinds whose entries are plain texts (every kind but `triggers`). */
export const TEXT_KINDS = [
  "config",
  "workflows",
  "queries",
  "messages",
  "prompts",
  "tools",
] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

/** The placeholders a template uses, in order of first use. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}
