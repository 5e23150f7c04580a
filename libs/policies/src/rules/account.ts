import type { PolicyResource, ResourceRule, StackRule } from "../resource";
import { ofType, policyDocument, refersTo } from "../resource";
import { attachedPolicyArns, trustedPrincipals } from "./iam";

export const noGuardDuty: ResourceRule = {
  kind: "resource",
  name: "no-guardduty-detector",
  description:
    "No stack creates a GuardDuty detector (R22): it is one per account and region, owned by the account baseline, and destroying a layer must not switch it off.",
  enforcementLevel: "mandatory",
  validate(r) {
    return r.type === "aws:guardduty/detector:Detector"
      ? ["GuardDuty detectors are account-level; enable GuardDuty in the account baseline, not in a layer."]
      : [];
  },
};

const CONFIG_ROLE_POLICY = /^arn:aws[\w-]*:iam::aws:policy\/service-role\/AWS_ConfigRole$/;
const isConfigRole = (role: PolicyResource) =>
  trustedPrincipals(policyDocument(role.props["assumeRolePolicy"])).includes("Service:config.amazonaws.com");

export const configRoleManagedPolicy: StackRule = {
  kind: "stack",
  name: "config-role-managed-policy",
  description:
    "An AWS Config role, if any, uses the AWS managed service-role/AWS_ConfigRole policy (the deprecated AWSConfigRole misses newer resource types).",
  enforcementLevel: "mandatory",
  validate(resources) {
    const attachments = ofType(
      resources,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    );
    return ofType(resources, "aws:iam/role:Role")
      .filter(isConfigRole)
      .flatMap((role) => {
        const arns = [
          ...attachedPolicyArns(role),
          ...attachments
            .filter((a) => refersTo(a, "role", role) || refersTo(a, "roleName", role))
            .flatMap(attachedPolicyArns),
        ];
        return arns.some((arn) => CONFIG_ROLE_POLICY.test(arn))
          ? []
          : [
              {
                resource: role,
                message: "AWS Config role must attach arn:aws:iam::aws:policy/service-role/AWS_ConfigRole.",
              },
            ];
      });
  },
};
