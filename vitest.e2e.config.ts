import { defineConfig } from "vitest/config";

// `just test-e2e`: a real Open WebUI in a real browser (kept out of the default run, which
// installs neither).
export default defineConfig({
  test: {
    include: ["packages/*/e2e/**/*.e2e.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
