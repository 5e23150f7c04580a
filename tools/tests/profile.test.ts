// The production guard of destroy: a stack file saying `profile: production` is not destroyed without
// --allow-production, and the refusal says how to tear it down on purpose.
import * as fs from "node:fs";
import * as path from "node:path";
import { layerDir } from "../src/layers";
import { EXIT_REFUSED, main } from "../src/pulumi-layer";
import { productionRefusal, stackProfile } from "../src/profile";
import { FakePulumi } from "./fake-pulumi";

const STACK = `guard${process.pid}`;
const stackFile = path.join(layerDir("data"), `Pulumi.${STACK}.yaml`);
let fake: FakePulumi | undefined;

beforeEach(() => fs.writeFileSync(stackFile, "config:\n  aws:region: us-east-1\n  mlapi-data:profile: production\n"));
afterEach(() => {
  fs.rmSync(stackFile, { force: true });
  fake?.dispose();
});

describe("the production guard", () => {
  it("reads the profile from the layer's stack file, throwaway when absent", () => {
    expect(stackProfile("data", STACK)).toBe("production");
    expect(stackProfile("network", STACK)).toBe("throwaway");
  });

  it("refuses to destroy a production stack, naming the layer and the way out", async () => {
    fake = new FakePulumi();
    const r = await fake.inProcess(main, ["destroy", "data", "--stack", STACK]);
    expect(r.status).toBe(EXIT_REFUSED);
    expect(r.stderr).toContain(productionRefusal(["data"], STACK));
    expect(r.stderr).toContain(`Refusing to destroy data (stack ${STACK}): profile production (deletion protection, final snapshot).`);
    expect(fake.calls()).toEqual([]);
  });

  it("destroys it with --allow-production", async () => {
    fake = new FakePulumi({ [`mlapi-data/${STACK}`]: { resources: 5 } });
    const r = await fake.inProcess(main, ["destroy", "data", "--stack", STACK, "--allow-production"]);
    expect(r.status).toBe(0);
    expect(fake.calls()).toEqual([`edge: stack export --stack ${STACK}`, `service: stack export --stack ${STACK}`, `data: destroy --yes --stack ${STACK}`]);
  });

  it("leaves throwaway stacks alone", () => {
    expect(productionRefusal(["network", "edge"], STACK)).toBeUndefined();
  });
});
