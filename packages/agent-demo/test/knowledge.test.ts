import { readFileSync } from "node:fs";
import { minimalPdf } from "@agentllm/testkit";
import { expect, it } from "vitest";
import { careGuideFile, careGuidePages } from "./care-guide-pdf.ts";

it("ships the care guide PDF its pages make (regenerate with test/care-guide-pdf.ts)", () => {
  expect(readFileSync(careGuideFile).equals(minimalPdf(careGuidePages))).toBe(true);
});
