import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from "@smithy/types";
import { SignatureV4 } from "@smithy/signature-v4";

// GetSecretValue over HTTPS, signed with SigV4. The AWS SDK's Secrets Manager client is not a
// dependency of this app; the signer and the credential chain are (through the DynamoDB
// client), and one JSON call does not justify another 3 MB package in the image.

class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.h = secret ? createHmac("sha256", toBytes(secret)) : createHash("sha256");
  }
  update(data: SourceData): void {
    this.h.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

function toBytes(d: SourceData): string | Uint8Array {
  if (typeof d === "string") return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d);
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/** Returns the current SecretString of `secretId` (an ARN or name). */
export async function getSecretString(
  secretId: string,
  region: string,
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity,
  fetchImpl: FetchLike = fetch,
): Promise<string> {
  const hostname = `secretsmanager.${region}.amazonaws.com`;
  const body = JSON.stringify({ SecretId: secretId });
  const signer = new SignatureV4({ service: "secretsmanager", region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: "https:",
    hostname,
    path: "/",
    query: {},
    headers: {
      host: hostname,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "secretsmanager.GetSecretValue",
    },
    body,
  });
  const res = await fetchImpl(`https://${hostname}/`, {
    method: "POST",
    headers: signed.headers as Record<string, string>,
    body,
  });
  const text = await res.text();
  if (!res.ok) {
    let type = "";
    try {
      type = String((JSON.parse(text) as { __type?: string }).__type ?? "");
    } catch {
      // not JSON
    }
    throw new Error(`Secrets Manager GetSecretValue failed: HTTP ${res.status} ${type}`.trim());
  }
  const secret = (JSON.parse(text) as { SecretString?: string }).SecretString;
  if (typeof secret !== "string") throw new Error("Secrets Manager returned no SecretString");
  return secret;
}
