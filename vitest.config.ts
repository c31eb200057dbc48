import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "bench/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    typecheck: { enabled: true, include: ["packages/*/src/**/*.test-d.ts"] },
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
