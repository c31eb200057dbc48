/**
 * Writes knowledge/care-guide.pdf, the demo's PDF: run `npx tsx test/care-guide-pdf.ts` in packages/agent-demo
 * after changing the pages. The bytes depend only on the pages (the test checks the
 * committed file is what they make).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { minimalPdf } from "@agentllm/testkit";

export const careGuidePages = [
  [
    "Quillmoor Studio Care Guide",
    "",
    "Storing tubes",
    "Keep tubes upright, cap down, between 8 and 24 degrees. A tube stored in",
    "the sun separates: knead it for a minute before opening.",
  ],
  [
    "Cleaning brushes",
    "",
    "Wash brushes in lukewarm water with Quillmoor Brush Soap (item BS-2), never",
    "with solvent. Reshape the tip and dry them flat; a brush dried upright",
    "rots at the ferrule.",
  ],
];

export const careGuideFile = fileURLToPath(new URL("../knowledge/care-guide.pdf", import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(careGuideFile, minimalPdf(careGuidePages));
}
