import * as pulumi from "@pulumi/pulumi";
import * as aws from "../aws";

/** CloudFront's origin-facing managed prefix list: the only source the ALB admits (SPEC R11). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/** TLS 1.3 with TLS 1.2 fallback, the policy AWS recommends for new HTTPS listeners. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** Paths the API serves; everything else gets the listener's 404. */
export const DEFAULT_FORWARD_PATHS: readonly string[] = ["/api/v1/*", "/api/v2/*", "/health"];

/** Body of the default action: the API's error shape, so clients never see an HTML error page. */
export const NOT_FOUND_BODY = JSON.stringify({ error: "not_found", message: "No route for this path" });

export interface LoadBalancerHealthCheck {
  /** @default "/health" */
  path?: string;
  /** Seconds between checks. @default 30 */
  intervalSeconds?: number;
  /** Seconds before a check counts as failed; must be below the interval. @default 5 */
  timeoutSeconds?: number;
  /** @default 2 */
  healthyThreshold?: number;
  /** @default 3 */
  unhealthyThreshold?: number;
  /** @default "200" */
  matcher?: string;
}

export interface ApiLoadBalancerArgs {
  /** Physical ALB name (≤ 32 characters). */
  loadBalancerName: string;
  /** Logical name Pulumi autonames the target group from (≤ 24 characters, see Naming.autoname). */
  targetGroupAutoname: string;
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The network layer's alb security group; this component adds only its CloudFront ingress rule. */
  securityGroupId: pulumi.Input<string>;
  /** Port the tasks listen on (the network's appPort). */
  targetPort: pulumi.Input<number>;
  /** Bucket and prefix for access logs (see AccessLogsBucket). */
  accessLogs: { bucket: pulumi.Input<string>; prefix: string };
  /**
   * Issued certificate for HTTPS; without one the ALB listens on HTTP 80 only (CloudFront → ALB over HTTP).
   * @default undefined
   */
  certificateArn?: pulumi.Input<string>;
  /**
   * Route 53 alias `name` → this ALB in `zoneId` (the `origin.<domain>` CloudFront connects to).
   * @default undefined
   */
  originRecord?: { zoneId: pulumi.Input<string>; name: pulumi.Input<string> };
  /** @default DEFAULT_FORWARD_PATHS */
  forwardPaths?: readonly string[];
  /** @default see LoadBalancerHealthCheck */
  healthCheck?: LoadBalancerHealthCheck;
  /**
   * Seconds a deregistering task keeps getting in-flight requests (AWS default 300 slows every deploy).
   * @default 30
   */
  deregistrationDelaySeconds?: number;
  /** Resources the ALB must wait for, e.g. the access-log bucket policy ELB tests on creation. */
  dependsOn?: pulumi.Resource[];
}

/**
 * The internet-facing ALB in front of the API: CloudFront-only ingress on the one listener port,
 * HTTPS with an HTTP→HTTPS redirect when a certificate is given (else HTTP only), path rules that
 * forward the API's paths to an ip target group, and a JSON 404 for everything else (SPEC R11).
 */
export class ApiLoadBalancer extends pulumi.ComponentResource {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  /** The listener that forwards (HTTPS 443 with a certificate, else HTTP 80). */
  readonly listener: aws.lb.Listener;
  /** The forwarding rules; a service registering with the target group must depend on them. */
  readonly rules: aws.lb.ListenerRule[];
  /** `https` when a certificate terminates TLS on the ALB, else `http`. */
  readonly protocol: "https" | "http";
  readonly listenerPort: number;

  constructor(name: string, args: ApiLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlapi:service:ApiLoadBalancer", name, {}, opts);
    const hc = args.healthCheck ?? {};
    const interval = hc.intervalSeconds ?? 30;
    const timeout = hc.timeoutSeconds ?? 5;
    if (timeout >= interval) throw new Error(`${name}: health check timeout (${timeout}s) must be less than its interval (${interval}s)`);
    this.protocol = args.certificateArn !== undefined ? "https" : "http";
    this.listenerPort = this.protocol === "https" ? 443 : 80;

    // --- ingress: CloudFront's origin-facing addresses only, on the forwarding listener's port ---
    // The prefix list holds ~55 entries, each counting against the group's 60-rule quota: one rule only.
    const cloudFront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }, { parent: this });
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-cloudfront`,
      {
        securityGroupId: args.securityGroupId,
        prefixListId: cloudFront.id,
        ipProtocol: "tcp",
        fromPort: this.listenerPort,
        toPort: this.listenerPort,
        description: `CloudFront origin-facing, ${this.protocol.toUpperCase()} ${this.listenerPort}`,
      },
      { parent: this },
    );

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        name: args.loadBalancerName,
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [args.securityGroupId],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: false,
        accessLogs: { enabled: true, bucket: args.accessLogs.bucket, prefix: args.accessLogs.prefix },
      },
      { parent: this, dependsOn: args.dependsOn },
    );

    // Autonamed (logical name + random tail): a replacing change creates the new group before the
    // listener rules move off the old one; a fixed name would collide and fail on a live stack.
    this.targetGroup = new aws.lb.TargetGroup(
      args.targetGroupAutoname,
      {
        vpcId: args.vpcId,
        targetType: "ip",
        protocol: "HTTP",
        port: args.targetPort,
        deregistrationDelay: args.deregistrationDelaySeconds ?? 30,
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          path: hc.path ?? "/health",
          port: "traffic-port",
          interval,
          timeout,
          healthyThreshold: hc.healthyThreshold ?? 2,
          unhealthyThreshold: hc.unhealthyThreshold ?? 3,
          matcher: hc.matcher ?? "200",
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
        { loadBalancerArn: this.loadBalancer.arn, port: 443, protocol: "HTTPS", sslPolicy: TLS_POLICY, certificateArn: args.certificateArn, defaultActions: [notFound] },
        { parent: this },
      );
      new aws.lb.Listener(
        `${name}-http-redirect`,
        {
          loadBalancerArn: this.loadBalancer.arn,
          port: 80,
          protocol: "HTTP",
          defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
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
      dnsName: this.loadBalancer.dnsName,
      zoneId: this.loadBalancer.zoneId,
      arnSuffix: this.loadBalancer.arnSuffix,
      targetGroupArnSuffix: this.targetGroup.arnSuffix,
    });
  }
}

/** `/api/v1/*` → `api-v1`, `/health` → `health`: a stable logical-name part per path. */
export function ruleRole(path: string): string {
  return path.replace(/\*/g, "").replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "root";
}
