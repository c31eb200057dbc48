import type { Workbook } from "./workbook-schema.ts";

/**
 * The workflow a user's words ask for: a workflow's own name, else the one with the longest
 * trigger phrase found in the words ("code freeze announcement" beats "code freeze"), else none.
 */
export function selectWorkflow(workbook: Workbook, request: string): string | undefined {
  const words = request.toLowerCase().replace(/\s+/g, " ").trim();
  const byName = words.replace(/[\s-]+/g, "_");
  if (Object.hasOwn(workbook.workflows, byName)) return byName;
  let best: { name: string; length: number } | undefined;
  for (const [name, phrases] of Object.entries(workbook.triggers)) {
    for (const phrase of phrases) {
      if (words.includes(phrase) && phrase.length > (best?.length ?? 0)) {
        best = { name, length: phrase.length };
      }
    }
  }
  return best?.name;
}
