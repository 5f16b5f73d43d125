// The pack's entry for the Pulumi CLI (`pulumi preview --policy-pack policies`). Constructing a
// PolicyPack starts its gRPC server, so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, allPolicies } from "./all";

new PolicyPack(POLICY_PACK_NAME, { policies: allPolicies });
