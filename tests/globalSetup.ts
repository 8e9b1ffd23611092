import { kubeValidateBinary } from "../checks/kubernetesSchema";

/** Builds (or finds in the cache) the strict Kubernetes decoder once for all test files. */
export default function globalSetup(): void {
  process.env.KUBE_VALIDATE = kubeValidateBinary();
}
