// The CrossGuard pack a reviewer runs with `pulumi preview --policy-pack policy`. It only adapts
// the plain policy functions of rules.ts; constructing the pack starts its server, so tests import
// rules.ts, never this file.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./rules";

new PolicyPack("observability", {
  policies: POLICIES.map((policy) => ({
    name: policy.name,
    description: policy.description,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map((r) => ({
        type: r.type,
        props: r.props,
        protect: r.opts.protect,
      }));
      for (const violation of policy.check(resources)) {
        reportViolation(violation);
      }
    },
  })),
});
