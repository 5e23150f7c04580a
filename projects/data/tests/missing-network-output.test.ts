// A missing upstream output fails inside an apply, which jest cannot observe in-process, so this
// runs the offline plan as a subprocess, like a user would.
import type { NetworkOutputs } from "@mlapi/core";
import { NETWORK } from "@mlapi/core";
import { planLayerInSubprocess } from "@mlapi/testing";
import { NETWORK_OUTPUTS } from "./fixtures";

const planDataWith = (outputs: Partial<NetworkOutputs>) => planLayerInSubprocess("data", [{ layer: "network", project: NETWORK.project, outputs }]);

describe("data layer without a network output it needs", () => {
  it("stops with an error naming the network stack and the missing output", () => {
    const withoutDbGroup: Partial<NetworkOutputs> = { ...NETWORK_OUTPUTS };
    delete withoutDbGroup.dbSecurityGroupId;
    const { status, stderr } = planDataWith(withoutDbGroup);
    expect(status).not.toBe(0);
    expect(stderr).toContain('Stack "organization/mlapi-network/example" has no output "dbSecurityGroupId". Deploy or update the network layer first');
  });
});
