// ESLint for the whole monorepo: typescript-eslint's type-checked rules everywhere (this is
// async server code: a promise nobody awaits is a crash or a lost error), React's hooks rules
// in the two React packages, and eslint-config-prettier last so layout is Prettier's alone.
//
// Types come from the TypeScript project service: each file is checked with the nearest
// tsconfig.json that includes it. The packages' own tsconfig.json files cover src/; each
// test/ folder has a tsconfig.json extending tsconfig.test.json, which maps the workspace
// packages to their sources like vitest.config.ts does, so linting needs no build.
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: ["**/dist/", "**/node_modules/", "test-output/", "bench-output/", "**/.parlor/"],
  },
  // create-parlor's templates are projects of their own, whose dependencies exist only once a
  // project is created and installed: packages/create-parlor/test/templates.test.ts does that,
  // and each project's `npm test` type-checks it strictly (tsc) before running its test.
  {
    ignores: ["packages/create-parlor/templates/"],
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // Files no tsconfig.json includes get tsconfig.test.json's options: the root config
          // files, and the unit tests under packages/client/src (its tsconfig leaves them out
          // so that they are not compiled into dist/).
          allowDefaultProject: ["vitest.config.ts", "examples/openai/app.test.ts", "packages/client/src/*.test.ts"],
          defaultProject: "tsconfig.test.json",
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      // The two rules this config exists for; recommendedTypeChecked has them, this pins them.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // Every eslint-disable says why: `// eslint-disable-next-line rule -- reason`.
      "@eslint-community/eslint-comments/require-description": ["error", { ignore: ["eslint-enable"] }],
      "@eslint-community/eslint-comments/disable-enable-pair": ["error", { allowWholeFile: true }],
      // Async without await is how Fastify plugins and handlers, and the storage interfaces'
      // implementations, say "returns a promise"; a throw in them becomes a rejection either way.
      "@typescript-eslint/require-await": "off",
      // A leading underscore marks a binding kept on purpose, e.g. keys dropped by destructuring.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },

  // Plain JavaScript (the CLI launcher, a size script, the pre-paint theme script, this file):
  // no tsconfig includes it, so it is linted without type information.
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["packages/web/public/**/*.js"],
    languageOptions: { sourceType: "script", globals: globals.browser },
  },

  // Tests read JSON bodies and socket payloads as `any` on purpose (the helpers type them so):
  // the expect() beside each read is the check, so the no-unsafe-* rules would only add casts.
  {
    files: ["**/test/**/*.{ts,tsx}", "**/*.test.{ts,tsx}", "packages/test-support/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },

  // Hooks live in src/; in the tests, use*() names are vitest fixtures, not React hooks.
  {
    files: ["packages/react/src/**/*.{ts,tsx}", "packages/web/src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      // These two check code for the React Compiler, which this project does not use. The UI
      // writes "has been connected" and "latest value" refs during render, and closes the
      // drawer on navigation from an effect, on purpose.
      "react-hooks/refs": "off",
      "react-hooks/set-state-in-effect": "off",
    },
  },
  {
    files: ["packages/react/**/*.{ts,tsx}", "packages/web/**/*.{ts,tsx}"],
    rules: {
      // Props and hook results declare callbacks with method syntax but hold closures, and
      // destructuring them is how React code reads them; the core stores bind theirs too.
      "@typescript-eslint/unbound-method": "off",
    },
  },

  prettier,
);
