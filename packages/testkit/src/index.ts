export * from "./gemini/index.ts";
export * from "./google/index.ts";
export * from "./jira/index.ts";
export * from "./otlp/index.ts";
export * from "./pdf/index.ts";
