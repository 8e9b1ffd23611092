import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "sdks/**",
      "eslint.config.mjs",
      "jest.config.js",
      "tests/support/jestTransform.js",
      "tests/support/jestResolver.js",
      "tests/support/unusedByPulumi.js",
      "tests/support/programPreload.js",
      "tests/support/transpileCache.js",
      "tests/support/notLoaded.js",
      "tests/support/noSourceMaps.js",
      "tests/support/cpuLedgerEnvironment.js",
      // Loaded by TypeDoc, which takes JavaScript plugins: a module of TypeDoc's own API.
      "scripts/docs/typedocSchemaTypes.mjs",
      "scripts/docs/typedocConfigKeys.mjs",
      // Programs of their own, with their own dependencies: npm run test:examples installs and
      // type-checks each.
      "examples/**",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/prefer-nullish-coalescing": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // `import main = require("../index")`: the program is an `export =` function, as Pulumi runs it.
      "@typescript-eslint/no-require-imports": ["error", { allowAsImport: true }],
      // `interface XSchema extends Identity<typeof x> {}` names a schema's type, so that declaration
      // files refer to it instead of spelling it out at every use (config/fields.ts, Identity).
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
    },
  },
  {
    // Tests break rendered objects on purpose, field by field, and the test kit reads them as loose
    // JSON; typing each mutation and lookup adds nothing.
    files: ["tests/**/*.ts", "tests/kit/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
);
