// The CrossGuard pack end to end, as the Pulumi CLI runs it: pack/ is started with Pulumi's own
// policy-pack runner (ts-node type-checks it, PolicyPack reads pack/package.json) and called over the
// analyzer gRPC protocol, with no Pulumi CLI or cloud account.
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { RULES } from "../src";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const TAGS = { Project: "mlapi", Environment: "dev", Layer: "edge", ManagedBy: "pulumi" };

let pack: ChildProcessWithoutNullStreams;
let client: AnalyzerClient;

/** Starts the pack the way the analyzer plugin does and resolves with the port it prints. */
function startPack(): Promise<number> {
  pack = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."],
    { cwd: path.join(ROOT, "libs/policies/pack") },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    pack.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const port = /^(\d+)\s*$/m.exec(out);
      if (port) resolve(Number(port[1]));
    });
    pack.stderr.on("data", (d: Buffer) => (err += d.toString()));
    pack.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${err || out}`)));
  });
}

const unary = <Req, Res>(method: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req) =>
  new Promise<Res>((resolve, reject) => method.call(client, req, (e, r) => (e ? reject(e) : resolve(r))));

function resource<T extends pb.AnalyzeRequest | pb.AnalyzerResource>(
  r: T,
  type: string,
  name: string,
  props: Record<string, JavaScriptValue>,
): T {
  r.setType(type);
  r.setName(name);
  r.setUrn(`urn:pulumi:dev::mlapi-edge::${type}::${name}`);
  r.setProperties(Struct.fromJavaScript(props));
  r.setOptions(new pb.AnalyzerResourceOptions());
  return r;
}

const diagnostics = (res: pb.AnalyzeResponse) =>
  res.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    mandatory: d.getEnforcementlevel() === pb.EnforcementLevel.MANDATORY,
    urn: d.getUrn(),
    message: d.getMessage().split("\n").pop(),
  }));

beforeAll(async () => {
  const port = await startPack();
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

describe("the CrossGuard pack (libs/policies/pack)", () => {
  it("serves every rule under its name and enforcement level", async () => {
    const info = await unary<Empty, pb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect([info.getName(), info.getVersion()]).toEqual(["mlapi-platform", "0.1.0"]);
    expect(
      info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel() === pb.EnforcementLevel.MANDATORY]),
    ).toEqual(RULES.map((r) => [r.name, r.enforcementLevel === "mandatory"]));
  });

  it("reports a 14-day log group as a mandatory violation of log-group-retention-kms", async () => {
    const req = resource(new pb.AnalyzeRequest(), "aws:cloudwatch/logGroup:LogGroup", "app-logs", {
      name: "/mlapi/app-dev",
      retentionInDays: 14,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1",
      tags: TAGS,
    });
    expect(diagnostics(await unary<pb.AnalyzeRequest, pb.AnalyzeResponse>(client.analyze, req))).toEqual([
      {
        policy: "log-group-retention-kms",
        mandatory: true,
        urn: "",
        message: "retentionInDays is 14; every log group keeps exactly 30 days (use EncryptedLogGroup).",
      },
    ]);
  });

  it("runs the stack rules at the end and points at the offending bucket", async () => {
    const bucket = resource(new pb.AnalyzerResource(), "aws:s3/bucket:Bucket", "pages", {
      bucket: "mlapi-pages-dev",
      forceDestroy: true,
      tags: TAGS,
    });
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList([bucket]);
    const found = diagnostics(await unary<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(client.analyzeStack, req));
    expect(found.map((d) => [d.policy, d.urn, d.message])).toEqual([
      [
        "s3-bucket-encryption",
        bucket.getUrn(),
        "no BucketServerSideEncryptionConfiguration (aws:kms or AES256) for this bucket in the stack.",
      ],
      ["s3-public-access-block", bucket.getUrn(), "no BucketPublicAccessBlock for this bucket in the stack."],
    ]);
  });
});
