import nx from "@nx/eslint-plugin";
import tseslint from "typescript-eslint";

// Module boundaries: layers talk to each other only through StackReference, so a layer may
// import libs and never another layer; libs never import layers or tools; tools, apps and the
// integration tests may import libs. The mocks (libs/testing, tag type:testing) are for tests only:
// production code importing them is an error, test files (*.test.ts, tests/) may. There is
// deliberately no `* -> *` escape hatch.
const productionConstraints = [
  { sourceTag: "type:layer", onlyDependOnLibsWithTags: ["type:lib"] },
  { sourceTag: "type:lib", onlyDependOnLibsWithTags: ["type:lib"] },
  // The offline plan renders the layer programs with the same renderer as the tests.
  { sourceTag: "type:tool", onlyDependOnLibsWithTags: ["type:lib", "type:testing"] },
  { sourceTag: "type:app", onlyDependOnLibsWithTags: ["type:lib"] },
  { sourceTag: "type:test", onlyDependOnLibsWithTags: ["type:lib"] },
  { sourceTag: "type:testing", onlyDependOnLibsWithTags: ["type:lib"] },
];
const testConstraints = productionConstraints.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, "type:testing"])],
}));
const boundaries = (depConstraints) => ["error", { enforceBuildableLibDependency: false, allow: [], depConstraints }];
const TEST_FILES = ["**/*.test.ts", "**/tests/**/*.ts"];

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/.nx/**", "cfn-outputs/**"] },
  ...nx.configs["flat/base"],
  ...nx.configs["flat/typescript"],
  {
    files: ["**/*.ts"],
    rules: {
      "@nx/enforce-module-boundaries": boundaries(productionConstraints),
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
      eqeqeq: ["error", "always"],
    },
  },
  {
    // @pulumi/aws's root module loads all of its ~260 service modules, and a type check of it ~3,300
    // declaration files: code takes the services from libs/components/src/aws.ts or their own modules.
    files: ["**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@pulumi/aws",
              message:
                'Import the services from libs/components/src/aws.ts (in libs/components) or "@pulumi/aws/<service>".',
            },
          ],
        },
      ],
    },
  },
  {
    files: TEST_FILES,
    rules: { "@nx/enforce-module-boundaries": boundaries(testConstraints) },
  },
  {
    // Jest configs are CommonJS by nature.
    files: ["**/jest.config.js", "jest.preset.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
