import { setUpTierTools } from "../kit/tools";

/** Marks every process of one cluster-test run (they inherit it), so teardown finds only its own. */
export const CLUSTER_TEST_RUN_VARIABLE = "OBSERVABILITY_CLUSTER_TEST_RUN";

/**
 * Builds (or finds in the cache) the control plane the cluster tests start (tests/kit/tierTools.json):
 * kube-apiserver, kube-controller-manager and kube-scheduler from k8s.io/kubernetes, etcd, and
 * kwok; and Prometheus, which scrapes the control plane's API server with the platform rules
 * (useDashboards.test.ts); the engine's tools and the virtualenv of the Pulumi Python SDK that the
 * Python language host runs programs with.
 */
export default function globalSetup(): void {
  process.env[CLUSTER_TEST_RUN_VARIABLE] = String(process.pid);
  setUpTierTools("cluster");
}
