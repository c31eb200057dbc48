export * from "./gemini/index.ts";
export * from "./google/index.ts";
