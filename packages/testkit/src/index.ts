export * from "./gemini/index.ts";
