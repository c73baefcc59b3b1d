import * as effectEslint from "@effect/eslint-plugin"
import eslint from "@eslint/js"
import tseslint from "typescript-eslint"

// Lint and format in one pass: `npm run lint` checks, `npm run format` rewrites. Formatting is
// dprint's, through @effect/eslint-plugin, with the settings of the Effect codebases.
export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "data/**", ".exp/**", "**/*.js", "**/*.mjs"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    files: ["**/*.ts"],
    rules: {
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 160,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      // `interface X extends Schema.Schema.Type<typeof X> {}` is how Effect names a schema's type.
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // The package index of @effect/platform(-node) also loads the Swagger/Scalar UI bundles.
      "no-restricted-imports": ["error", {
        paths: [
          { name: "@effect/platform", message: "Import the module path, e.g. @effect/platform/HttpClient." },
          { name: "@effect/platform-node", message: "Import the module path, e.g. @effect/platform-node/NodeRuntime." }
        ]
      }]
    }
  }
)
