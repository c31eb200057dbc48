import { z } from "zod";

/** The agents the evaluations cover; each is served as `agno/<agent>`. */
export const EVAL_AGENTS = ["demo-agent", "release-manager", "sprint-reviewer"] as const;
export type EvalAgent = (typeof EVAL_AGENTS)[number];

/**
 * Bounds on what a case may ask for, so a typo in a case file cannot make a run of hours or a
 * request LiteLLM refuses: a short conversation, a handful of expectations each.
 */
export const CASE_LIMITS = {
  cases: 200,
  messages: 10,
  messageChars: 4_000,
  expectedTools: 10,
  facts: 20,
  factChars: 200,
  rubricChars: 2_000,
} as const;

/**
 * A tool call the agent must make. `args` is a subset: each key given must be there, matched
 * leniently (see tool-call-match.ts); keys not given may hold anything.
 */
const expectedToolSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "a tool name (snake_case)"),
  args: z.record(z.string(), z.unknown()).optional(),
});

const messageSchema = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: z.string().min(1).max(CASE_LIMITS.messageChars),
});

export const evalCaseSchema = z
  .strictObject({
    /** Unique, stable: reports are compared across runs by it. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, "kebab-case, at most 80 characters"),
    agent: z.enum(EVAL_AGENTS),
    /** One message or a short conversation; the last is the user's question being scored. */
    messages: z.array(messageSchema).min(1).max(CASE_LIMITS.messages),
    /** Every one must be matched by some call the agent made, in any order. */
    expectedTools: z.array(expectedToolSchema).max(CASE_LIMITS.expectedTools),
    /**
     * Strings the answer must contain (case and spacing ignored): true of the fakes' seeds, so
     * a model that did not call the tools cannot guess them (see facts-in-fixtures.test.ts).
     */
    facts: z.array(z.string().min(1).max(CASE_LIMITS.factChars)).max(CASE_LIMITS.facts),
    /** Optional: what a model judge must find true of the answer (judge.ts). */
    rubric: z.string().min(1).max(CASE_LIMITS.rubricChars).optional(),
  })
  .refine((c) => c.messages.at(-1)?.role === "user", {
    message: "the last message must be the user's",
    path: ["messages"],
  });

export type EvalCase = z.infer<typeof evalCaseSchema>;
export type ExpectedToolCall = z.infer<typeof expectedToolSchema>;

export class InvalidCasesError extends Error {
  override readonly name = "InvalidCasesError";
}

/** Checks every case and that ids are unique; throws one error naming each problem. */
export function validateCases(cases: readonly unknown[]): EvalCase[] {
  if (cases.length > CASE_LIMITS.cases) {
    throw new InvalidCasesError(`${cases.length} cases; at most ${CASE_LIMITS.cases}`);
  }
  const problems: string[] = [];
  const valid: EvalCase[] = [];
  const seen = new Set<string>();
  cases.forEach((raw, index) => {
    const parsed = evalCaseSchema.safeParse(raw);
    const label = (raw as { id?: unknown })?.id ?? `#${index}`;
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(
          `case ${String(label)}: ${issue.path.join(".") || "(case)"}: ${issue.message}`,
        );
      }
      return;
    }
    if (seen.has(parsed.data.id)) problems.push(`case ${parsed.data.id}: duplicate id`);
    seen.add(parsed.data.id);
    valid.push(parsed.data);
  });
  if (problems.length > 0) throw new InvalidCasesError(problems.join("\n"));
  return valid;
}
