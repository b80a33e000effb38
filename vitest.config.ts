import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests run against the sources; the published packages point at dist/.
    alias: {
      parlor: fileURLToPath(new URL("./packages/server/src/index.ts", import.meta.url)),
      "@parlor/protocol": fileURLToPath(new URL("./packages/protocol/src/index.ts", import.meta.url)),
      "@parlor/client": fileURLToPath(new URL("./packages/client/src/index.ts", import.meta.url)),
      "@parlor/react": fileURLToPath(new URL("./packages/react/src/index.ts", import.meta.url)),
      "@parlor/llm/openai": fileURLToPath(new URL("./packages/llm/src/openai/index.ts", import.meta.url)),
      "@parlor/llm/ai-sdk": fileURLToPath(new URL("./packages/llm/src/ai-sdk/index.ts", import.meta.url)),
      // The test kit has no build step: tests import its sources.
      "@parlor/test-support": fileURLToPath(new URL("./packages/test-support/src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/src/**/*.test.tsx",
      "packages/*/test/**/*.test.ts",
      "packages/*/test/**/*.test.tsx",
      "examples/*/*.test.ts",
      "examples/*/test/*.test.ts",
    ],
    globalSetup: ["packages/test-support/src/pg-global-setup.ts"],
    // Stops what a `beforeAll` started (test servers, sockets) when its file ends.
    setupFiles: ["packages/test-support/src/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
