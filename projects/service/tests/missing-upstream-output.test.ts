// A missing upstream output fails inside an apply, which jest cannot observe in-process, so this
// runs the offline plan as a subprocess, like a user would.
import type { DataOutputs } from "@mlapi/core";
import { DATA, NETWORK } from "@mlapi/core";
import { planLayerInSubprocess } from "@mlapi/testing";
import { dataOutputs, networkOutputs } from "./fixtures";

const planServiceWith = (outputs: Partial<DataOutputs>) =>
  planLayerInSubprocess("service", [
    { layer: "network", project: NETWORK.project, outputs: networkOutputs() },
    { layer: "data", project: DATA.project, outputs },
  ]);

describe("service layer without a data output it needs", () => {
  it("stops with an error naming the data stack and the missing output", () => {
    const withoutTable: Partial<DataOutputs> = { ...dataOutputs("example") };
    delete withoutTable.sessionsTableArn;
    const { status, stderr } = planServiceWith(withoutTable);
    expect(status).not.toBe(0);
    expect(stderr).toContain('Stack "organization/mlapi-data/example" has no output "sessionsTableArn". Deploy or update the data layer first');
  });
});
