import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { HttpError } from "../http/errors";

export interface Session {
  sessionId: string;
  /** True when this request created the session (none given, or the given one was unknown/expired). */
  created: boolean;
  createdAt: string;
  /** Epoch seconds: the table's TTL attribute. */
  expiresAt: number;
  requestCount: number;
}

/** Accepted client-supplied session ids: what we issue (UUIDs) and similar opaque tokens. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/** Throws 400 `invalid_session_id` unless `id` matches SESSION_ID_PATTERN (checked before the body is read). */
export function validateSessionId(id: string): void {
  if (!SESSION_ID_PATTERN.test(id)) {
    throw new HttpError(
      400,
      "invalid_session_id",
      "X-Session-Id must be 8-128 characters of A-Z, a-z, 0-9, '-' or '_'",
    );
  }
}

export interface SessionStoreOptions {
  table: string;
  key: string;
  ttlSeconds: number;
  client: DynamoDBClient;
  now?: () => number;
}

/**
 * Sessions in DynamoDB. Each item carries `expiresAt` (epoch seconds), the table's TTL
 * attribute. DynamoDB deletes expired items lazily (typically within days), so every read
 * treats `expiresAt <= now` as absent instead of trusting that the item is gone.
 */
export class SessionStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly now: () => number;

  constructor(private readonly opts: SessionStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(opts.client, { marshallOptions: { removeUndefinedValues: true } });
    this.now = opts.now ?? Date.now;
  }

  /** Extends the given live session, or creates a new one when none is given or it is unknown/expired. */
  async touchOrCreate(requested: string | undefined): Promise<Session> {
    if (requested !== undefined) validateSessionId(requested);
    const nowMs = this.now();
    const nowSec = Math.floor(nowMs / 1000);
    const expiresAt = nowSec + this.opts.ttlSeconds;
    if (requested) {
      try {
        const res = await this.doc.send(
          new UpdateCommand({
            TableName: this.opts.table,
            Key: { [this.opts.key]: requested },
            // One round trip: extend only if the item exists and has not expired (TTL lags).
            ConditionExpression: "attribute_exists(#k) AND #exp > :now",
            UpdateExpression: "SET #exp = :exp, lastSeenAt = :iso ADD requestCount :one",
            ExpressionAttributeNames: { "#k": this.opts.key, "#exp": "expiresAt" },
            ExpressionAttributeValues: {
              ":now": nowSec,
              ":exp": expiresAt,
              ":iso": new Date(nowMs).toISOString(),
              ":one": 1,
            },
            ReturnValues: "ALL_NEW",
          }),
        );
        const item = res.Attributes ?? {};
        return {
          sessionId: requested,
          created: false,
          createdAt: String(item.createdAt),
          expiresAt,
          requestCount: Number(item.requestCount),
        };
      } catch (err) {
        if (
          !(err instanceof ConditionalCheckFailedException) &&
          (err as Error).name !== "ConditionalCheckFailedException"
        )
          throw err;
      }
    }
    const session: Session = {
      sessionId: randomUUID(),
      created: true,
      createdAt: new Date(nowMs).toISOString(),
      expiresAt,
      requestCount: 1,
    };
    await this.doc.send(
      new PutCommand({
        TableName: this.opts.table,
        Item: {
          [this.opts.key]: session.sessionId,
          createdAt: session.createdAt,
          lastSeenAt: session.createdAt,
          expiresAt,
          requestCount: 1,
        },
        ConditionExpression: "attribute_not_exists(#k)",
        ExpressionAttributeNames: { "#k": this.opts.key },
      }),
    );
    return session;
  }

  /** The live session, or undefined when absent or expired (whether or not TTL has deleted it yet). */
  async get(sessionId: string): Promise<Omit<Session, "created"> | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.opts.table, Key: { [this.opts.key]: sessionId }, ConsistentRead: true }),
    );
    const item = res.Item;
    if (!item || !(Number(item.expiresAt) > Math.floor(this.now() / 1000))) return undefined;
    return {
      sessionId,
      createdAt: String(item.createdAt),
      expiresAt: Number(item.expiresAt),
      requestCount: Number(item.requestCount),
    };
  }

  /** Readiness probe: one item-level read (the task role has no table-level permissions). */
  async ping(): Promise<void> {
    await this.doc.send(new GetCommand({ TableName: this.opts.table, Key: { [this.opts.key]: "__health__" } }));
  }
}
