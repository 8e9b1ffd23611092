import { EKS_SHAPE } from "../kit/cluster";
import { stackLifecycle } from "./lifecycle";

// EKS: three nodes in three zones, an expandable gp3 class, the ALB IngressClass. The app
// namespaces belong to their teams: the stack reads them, so they are created before `up`.
describe("the prod render on an EKS-shaped cluster", () => {
  stackLifecycle({ stack: "prod", shape: EKS_SHAPE, preexistingNamespaces: ["tiketi-spring"] });
});
