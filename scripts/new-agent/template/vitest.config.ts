// `npx vitest run` inside this folder runs this package's tests; from the repository root, the
// root config (which includes packages/*/src) applies instead.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["src/**/*.test.ts"] } });
