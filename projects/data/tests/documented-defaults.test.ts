// Every default the layer documents (Pulumi.yaml's `default:` and the README's config table) is what
// the config loader yields for an empty stack config: the code's defaults live in the components,
// and this keeps the documents from drifting away from them.
import * as path from "node:path";
import { ConfigReader } from "@mlapi/core";
import { documentedDefaults } from "@mlapi/testing";
import { loadConfig } from "../src/config";

const load = (values: Record<string, string>) =>
  loadConfig(
    new ConfigReader(
      { name: "mlapi-data", get: (key) => values[key] },
      {},
      () => "dev",
      () => "organization",
    ),
  );

describe("mlapi-data's documented defaults", () => {
  it.each(documentedDefaults(path.join(__dirname, "..")))(
    "$source: $key = $value is what an empty stack config yields",
    ({ key, value }) => {
      expect(load({ [key]: value })).toEqual(load({}));
    },
  );
});
