export { minimalPdf } from "./minimal-pdf.ts";
