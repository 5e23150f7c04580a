// Integration tests against a deployed stack: read cfn-outputs/flat-outputs.json, call AWS and the API.
// Not part of `npm test` (target e2e); without the outputs file every test is reported as skipped.
/** @type {import('jest').Config} */
module.exports = {
  ...require("../../jest.preset.js"),
  displayName: "integration",
  rootDir: __dirname,
  // Real network calls: CloudFront, the ALB and the AWS APIs.
  testTimeout: 60000,
};
