import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "@mlapi/core";
import * as aws from "../aws";

/** TLS 1.3 with TLS 1.2 fallback, the policy AWS recommends for new HTTPS listeners. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** Paths the API serves; everything else gets the listener's 404. */
export const DEFAULT_FORWARD_PATHS: readonly string[] = ["/api/v1/*", "/api/v2/*", "/health"];

/**
 * Body of the default action, in the API's error shape (`{"error":{"code","message"}}`, as
 * apps/ml-api answers), so a client parses an unrouted path like any other API error. The edge passes
 * 404s through unchanged (see ApiDistribution), so this is what the client sees.
 */
export const NOT_FOUND_BODY = JSON.stringify({
  error: {
    code: "not_found",
    message: "No route for this path. The API is served under /api/v1/ and /api/v2/; health checks use /health.",
  },
});

/**
 * The target group's health check and deregistration delay, in one place. The check is tight (10 s,
 * 2 failures) because it is what takes a stopping Fargate Spot task out of rotation: ECS may leave
 * such a task registered until it is STOPPED
 * (https://repost.aws/knowledge-center/fargate-spot-termination-notice), so the ALB must see the
 * app's draining /health (503) fail and stop routing to it within the app's drain delay (see
 * API_SERVICE_DEFAULTS.drainDelaySeconds). 30 s / 3 failures took up to 90 s, while the app closed
 * its port after 0 s. Deregistration (deploys, scale-in) waits 30 s for in-flight requests: as long
 * as CloudFront waits for the origin (readTimeoutSeconds 30), and well under Spot's 2 minutes.
 */
export const LOAD_BALANCER_DEFAULTS = {
  healthCheckPath: "/health",
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  healthCheckMatcher: "200",
  deregistrationDelaySeconds: 30,
} as const;

/**
 * The longest a target that starts failing its health check keeps getting new requests: the ALB
 * marks it unhealthy after `unhealthyThreshold` consecutive failed checks, `interval` apart, the
 * first of which may come up to one interval after the failure starts.
 */
export function secondsToMarkUnhealthy(
  intervalSeconds: number = LOAD_BALANCER_DEFAULTS.healthCheckIntervalSeconds,
  unhealthyThreshold: number = LOAD_BALANCER_DEFAULTS.unhealthyThreshold,
): number {
  return intervalSeconds * unhealthyThreshold;
}

export interface LoadBalancerHealthCheck {
  /** @default LOAD_BALANCER_DEFAULTS.healthCheckPath */
  path?: string;
  /** Seconds between checks. @default LOAD_BALANCER_DEFAULTS.healthCheckIntervalSeconds */
  intervalSeconds?: number;
  /** Seconds before a check counts as failed; must be below the interval. @default LOAD_BALANCER_DEFAULTS.healthCheckTimeoutSeconds */
  timeoutSeconds?: number;
  /** @default LOAD_BALANCER_DEFAULTS.healthyThreshold */
  healthyThreshold?: number;
  /** @default LOAD_BALANCER_DEFAULTS.unhealthyThreshold */
  unhealthyThreshold?: number;
  /** @default LOAD_BALANCER_DEFAULTS.healthCheckMatcher */
  matcher?: string;
}

export interface ApiLoadBalancerArgs {
  /**
   * Names the ALB `mlapi-alb-<suffix>` and autonames the target group `api-tg-<suffix>-<random>`
   * (fits the 32-character limit with a 16-character suffix; see Naming.autoname).
   */
  naming: Naming;
  vpcId: pulumi.Input<string>;
  /** The private subnets the internal ALB's nodes go in (one per AZ). */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The network layer's alb security group. This component adds no ingress to it: the edge adds the
   * one rule, from the security group CloudFront creates for its VPC origins (see ApiVpcOrigin).
   */
  securityGroupId: pulumi.Input<string>;
  /** Port the tasks listen on (the network's appPort). */
  targetPort: pulumi.Input<number>;
  /** Bucket and prefix for access logs (see AccessLogsBucket). */
  accessLogs: { bucket: pulumi.Input<string>; prefix: string };
  /**
   * Issued certificate for HTTPS 443; without one the ALB listens on HTTP 80 only (CloudFront's VPC
   * origin → ALB over HTTP, inside the VPC).
   * @default undefined
   */
  certificateArn?: pulumi.Input<string>;
  /**
   * Route 53 alias `name` → this ALB in `zoneId`: `origin.<domain>`, the name CloudFront sends as SNI
   * and verifies the certificate against. It resolves to the ALB's private addresses.
   * @default undefined
   */
  originRecord?: { zoneId: pulumi.Input<string>; name: pulumi.Input<string> };
  /** @default DEFAULT_FORWARD_PATHS */
  forwardPaths?: readonly string[];
  /** @default see LoadBalancerHealthCheck */
  healthCheck?: LoadBalancerHealthCheck;
  /**
   * Seconds a deregistering task keeps getting in-flight requests (AWS default 300 slows every deploy).
   * @default LOAD_BALANCER_DEFAULTS.deregistrationDelaySeconds
   */
  deregistrationDelaySeconds?: number;
  /** ELB refuses to delete the ALB while on (the production profile). @default false (R19: destroyable) */
  deletionProtection?: boolean;
  /** Resources the ALB must wait for, e.g. the access-log bucket policy ELB tests on creation. */
  dependsOn?: pulumi.Resource[];
}

/**
 * The internal ALB in front of the API (R11), in the private subnets with no public address:
 * only CloudFront's VPC origin (edge layer) reaches it. One listener, HTTPS 443 when a certificate
 * is given, else HTTP 80; path rules forward the API's paths to an ip target group, and everything
 * else gets a JSON 404. No second (redirect) listener: nothing but the VPC origin could reach it.
 */
export class ApiLoadBalancer extends pulumi.ComponentResource {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  /** The one listener (HTTPS 443 with a certificate, else HTTP 80). */
  readonly listener: aws.lb.Listener;
  /** The forwarding rules; a service registering with the target group must depend on them. */
  readonly rules: aws.lb.ListenerRule[];
  /** `https` when a certificate terminates TLS on the ALB, else `http`. */
  readonly protocol: "https" | "http";
  readonly listenerPort: number;

  constructor(name: string, args: ApiLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ApiLoadBalancer", name, {}, opts);
    const d = LOAD_BALANCER_DEFAULTS;
    const hc = args.healthCheck ?? {};
    const interval = hc.intervalSeconds ?? d.healthCheckIntervalSeconds;
    const timeout = hc.timeoutSeconds ?? d.healthCheckTimeoutSeconds;
    if (timeout >= interval)
      throw new Error(`${name}: health check timeout (${timeout}s) must be less than its interval (${interval}s)`);
    this.protocol = args.certificateArn !== undefined ? "https" : "http";
    this.listenerPort = this.protocol === "https" ? 443 : 80;

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        name: args.naming.name("alb", "alb"),
        loadBalancerType: "application",
        // Internal: private addresses only, so no route from the internet exists (CloudFront's VPC
        // origin reaches it from inside the VPC). Changing this replaces the load balancer.
        internal: true,
        subnets: args.privateSubnetIds,
        securityGroups: [args.securityGroupId],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection ?? false,
        accessLogs: { enabled: true, bucket: args.accessLogs.bucket, prefix: args.accessLogs.prefix },
      },
      { parent: this, dependsOn: args.dependsOn },
    );

    // Autonamed (logical name + random tail): a replacing change creates the new group before the
    // listener rules move off the old one; a fixed name would collide and fail on a live stack.
    this.targetGroup = new aws.lb.TargetGroup(
      args.naming.autoname("api-tg", "targetGroup"),
      {
        vpcId: args.vpcId,
        targetType: "ip",
        protocol: "HTTP",
        port: args.targetPort,
        deregistrationDelay: args.deregistrationDelaySeconds ?? d.deregistrationDelaySeconds,
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          path: hc.path ?? d.healthCheckPath,
          port: "traffic-port",
          interval,
          timeout,
          healthyThreshold: hc.healthyThreshold ?? d.healthyThreshold,
          unhealthyThreshold: hc.unhealthyThreshold ?? d.unhealthyThreshold,
          matcher: hc.matcher ?? d.healthCheckMatcher,
        },
      },
      { parent: this },
    );

    const notFound: aws.types.input.lb.ListenerDefaultAction = {
      type: "fixed-response",
      fixedResponse: { contentType: "application/json", messageBody: NOT_FOUND_BODY, statusCode: "404" },
    };
    if (args.certificateArn !== undefined) {
      this.listener = new aws.lb.Listener(
        `${name}-https`,
        {
          loadBalancerArn: this.loadBalancer.arn,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: TLS_POLICY,
          certificateArn: args.certificateArn,
          defaultActions: [notFound],
        },
        { parent: this },
      );
    } else {
      this.listener = new aws.lb.Listener(
        `${name}-http`,
        { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: [notFound] },
        { parent: this },
      );
    }

    // One rule per path keeps each under ALB's five-values-per-condition limit as paths are added.
    this.rules = (args.forwardPaths ?? DEFAULT_FORWARD_PATHS).map(
      (path, i) =>
        new aws.lb.ListenerRule(
          `${name}-rule-${ruleRole(path)}`,
          {
            listenerArn: this.listener.arn,
            priority: (i + 1) * 10,
            conditions: [{ pathPattern: { values: [path] } }],
            actions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
          },
          { parent: this },
        ),
    );

    if (args.originRecord) {
      new aws.route53.Record(
        `${name}-origin-alias`,
        {
          zoneId: args.originRecord.zoneId,
          name: args.originRecord.name,
          type: "A",
          aliases: [{ name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true }],
        },
        { parent: this },
      );
    }

    this.registerOutputs({
      arn: this.loadBalancer.arn,
      dnsName: this.loadBalancer.dnsName,
      zoneId: this.loadBalancer.zoneId,
      arnSuffix: this.loadBalancer.arnSuffix,
      targetGroupArnSuffix: this.targetGroup.arnSuffix,
    });
  }
}

/** `/api/v1/*` → `api-v1`, `/health` → `health`: a stable logical-name part per path. */
export function ruleRole(path: string): string {
  return (
    path
      .replace(/\*/g, "")
      .replace(/[^a-zA-Z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "root"
  );
}
