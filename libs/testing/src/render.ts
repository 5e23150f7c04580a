import * as vm from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { AwsMocks } from "./aws-mocks";

/** A resource the program declared, with what the engine would be told about it. */
export interface PlannedResource {
  type: string;
  /** Logical name. */
  name: string;
  /** `type::name` of the parent, when the parent is not the stack. */
  parent?: string;
  /** `type::name` of each explicit `dependsOn`. */
  dependsOn: string[];
  /**
   * `type::name` of every resource the engine waits for before creating this one, as `pulumi preview`
   * records them: explicit `dependsOn` (a component standing for its children) and the resources
   * behind each Output-valued input. The parent and the provider are `parent` and `provider`.
   */
  dependencies: string[];
  /** Provider reference (`urn::id`) when not the default provider. */
  provider?: string;
  custom: boolean;
  id: string;
  inputs: Record<string, unknown>;
  /** Inputs plus the outputs the mock engine computed (ARNs, DNS names). */
  state: Record<string, unknown>;
  /** Resource options that matter for teardown (R19). */
  protect: boolean;
  retainOnDelete: boolean;
  /** Properties the engine leaves alone on update (`ignoreChanges`), e.g. a desiredCount auto scaling owns. */
  ignoreChanges: string[];
  /** Properties whose change replaces the resource (`replaceOnChanges`). */
  replaceOnChanges: string[];
}

export interface RenderOptions {
  /** Pulumi project name, e.g. `mlapi-network`. */
  project: string;
  stack: string;
  /** Fully qualified config, e.g. `{ "aws:region": "us-east-1", "mlapi-network:natGateways": 3 }`. */
  config?: Record<string, unknown>;
  /** Outputs of the stacks the program references, keyed by `org/project/stack`. */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /** Imports the program; called inside the mock stack, so resources it declares are recorded. */
  load: () => Promise<unknown>;
  organization?: string;
}

export interface RenderResult {
  resources: PlannedResource[];
  /** Stack outputs with secrets unwrapped. */
  outputs: Record<string, unknown>;
  /** Names of outputs exported as secrets. */
  secretOutputNames: string[];
}

type ResourceWithName = pulumi.Resource & { __name?: string; __pulumiType?: string };

const refOf = (r: pulumi.Resource | undefined): string | undefined => {
  const res = r as ResourceWithName | undefined;
  if (!res?.__pulumiType || res.__pulumiType === "pulumi:pulumi:Stack") return undefined;
  return `${res.__pulumiType}::${res.__name}`;
};

const toStringConfig = (config: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

/** A program's stack outputs: `export =` modules arrive wrapped as `default` by dynamic import. */
function moduleExports(loaded: unknown): Record<string, unknown> {
  const mod = (loaded ?? {}) as Record<string, unknown>;
  const wrapped = "default" in mod && !mod.__esModule && typeof mod.default === "object" && mod.default !== null;
  return (wrapped ? mod.default : mod) as Record<string, unknown>;
}

/** The process Node reports unhandled rejections on: under jest, `process` is the test context's copy. */
const hostProcess = (): NodeJS.Process => vm.runInThisContext("process") as NodeJS.Process;

/** What the runtime sends the monitor to register or read a resource (generated gRPC message). */
interface ResourceRequest {
  getType(): string;
  getName(): string;
  /** URNs of the resources it waits for: explicit `dependsOn` and those behind its Output inputs. */
  getDependenciesList(): string[];
}
type Callback = (err: unknown, response: unknown) => void;

/** `type::name` of a URN (`urn:pulumi:<stack>::<project>::<parent types$>type::<name>`). */
function refOfUrn(urn: string): string {
  const [, , chain = "", ...name] = urn.split("::");
  return `${chain.split("$").pop()}::${name.join("::")}`;
}

/**
 * Pulumi's mock monitor, also keeping the dependencies the runtime computed for each resource: the
 * same request the engine receives, so they are exactly those `pulumi preview` would record.
 */
class RecordingMonitor extends MockMonitor {
  readonly dependencies = new Map<string, string[]>();

  override registerResource(req: ResourceRequest, callback: Callback): Promise<void> {
    this.record(req);
    return super.registerResource(req, callback);
  }

  override readResource(req: ResourceRequest, callback: Callback): Promise<void> {
    this.record(req);
    return super.readResource(req, callback);
  }

  private record(req: ResourceRequest): void {
    this.dependencies.set(`${req.getType()}::${req.getName()}`, [...new Set(req.getDependenciesList().map(refOfUrn))]);
  }
}

/**
 * Runs a Pulumi program under Pulumi's own mock runtime with realistic AWS answers and returns
 * every resource it declared (inputs, parent, explicit dependencies) and its stack outputs.
 * Used by the layer tests and by the offline plan, so both see exactly the same thing.
 */
export async function renderProgram(options: RenderOptions): Promise<RenderResult> {
  const region = String(options.config?.["aws:region"] ?? "us-east-1");
  const mocks = new AwsMocks({ region, stackOutputs: options.stackOutputs });
  // setMocks with a monitor that also records dependencies; the runtime asks the monitor which
  // features it supports when the stack starts, as it does after setMocks.
  const monitor = new RecordingMonitor(mocks);
  pulumi.runtime.setMockOptions(monitor, options.project, options.stack, false, options.organization ?? "organization");
  pulumi.runtime.setAllConfig(toStringConfig(options.config ?? {}));

  const recorded = new Map<
    string,
    {
      parent?: string;
      dependsOn: string[];
      protect: boolean;
      retainOnDelete: boolean;
      ignoreChanges: string[];
      replaceOnChanges: string[];
    }
  >();
  // Pulumi reports an error inside an apply (a missing upstream output) only as unhandled rejections,
  // and what waits on the failed value then waits forever: the first one ends the render. They are
  // emitted on the host process, which under jest is not the test's `process`; the render marks them
  // handled, since it reports them, so jest does not fail the test for them as well.
  const failures: unknown[] = [];
  let firstFailure: () => void = () => undefined;
  const failed = new Promise<void>((resolve) => (firstFailure = resolve));
  const onRejection = (reason: unknown, promise: Promise<unknown>) => {
    failures.push(reason);
    promise.catch(() => undefined);
    firstFailure();
  };
  const host = hostProcess();
  host.on("unhandledRejection", onRejection);
  // Each render registers the runtime's exit hooks again; many renders in one test file are expected.
  process.setMaxListeners(Math.max(process.getMaxListeners(), 100));

  let exports: Record<string, unknown> = {};
  // Pulumi records a stack trace for every promise it creates, which jest source-maps frame by frame.
  // Errors the program throws keep their message; MLAPI_RENDER_STACKS=1 keeps their frames too.
  const stackTraceLimit = Error.stackTraceLimit;
  if (process.env.MLAPI_RENDER_STACKS !== "1") Error.stackTraceLimit = 0;
  const run = async () => {
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        const deps = args.opts.dependsOn;
        const dependsOn = (Array.isArray(deps) ? deps : deps && pulumi.Resource.isInstance(deps) ? [deps] : [])
          .map((d) => refOf(d as pulumi.Resource))
          .filter((d): d is string => d !== undefined);
        recorded.set(`${args.type}::${args.name}`, {
          parent: refOf(args.opts.parent),
          dependsOn,
          protect: args.opts.protect === true,
          retainOnDelete: (args.opts as pulumi.CustomResourceOptions).retainOnDelete === true,
          ignoreChanges: args.opts.ignoreChanges ?? [],
          replaceOnChanges: args.opts.replaceOnChanges ?? [],
        });
        return undefined;
      });
      try {
        exports = moduleExports(await options.load());
      } catch (err) {
        // Rethrown after the run: a rejection inside the stack's init would also surface, unhandled,
        // from the runtime's own promises.
        failures.push(err);
      }
      return exports;
    });
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    await waitForRPCs?.();
  };
  try {
    await Promise.race([run(), failed]);
    // Let rejections scheduled by the last RPCs, or by the same failure, surface before deciding.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    host.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) {
    // Lets tests assert that a bad config stopped the program before any AWS resource was declared.
    const failure = failures[0];
    if (typeof failure === "object" && failure !== null) {
      Object.defineProperty(failure, "declaredAwsResources", {
        value: mocks.resources.filter((r) => r.type.startsWith("aws:")).map((r) => `${r.type}::${r.name}`),
      });
    }
    throw failure;
  }

  const outputs: Record<string, unknown> = {};
  const secretOutputNames: string[] = [];
  for (const [key, value] of Object.entries(exports)) {
    // promise() and isSecret are internal to Output but stable; they are what the engine itself reads.
    const out = pulumi.output(value) as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
    // Unlike apply, promise() rejects when the value failed, so a broken output fails the render.
    outputs[key] = await out.promise();
    if (await out.isSecret) secretOutputNames.push(key);
  }

  const resources = mocks.resources.map((r): PlannedResource => {
    const opts = recorded.get(`${r.type}::${r.name}`);
    return {
      type: r.type,
      name: r.name,
      parent: opts?.parent,
      dependsOn: opts?.dependsOn ?? [],
      dependencies: monitor.dependencies.get(`${r.type}::${r.name}`) ?? [],
      provider: r.provider,
      custom: r.custom,
      id: r.id,
      inputs: r.inputs,
      state: r.state,
      protect: opts?.protect ?? false,
      retainOnDelete: opts?.retainOnDelete ?? false,
      ignoreChanges: opts?.ignoreChanges ?? [],
      replaceOnChanges: opts?.replaceOnChanges ?? [],
    };
  });
  return { resources, outputs, secretOutputNames };
}
