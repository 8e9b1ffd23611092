import { parseQuantity } from "../../config/quantity";

/**
 * The share of a container's memory limit a Go runtime is told it may use (GOMEMLIMIT). The
 * runtime counts its heap, goroutine stacks and its own metadata against it, and collects harder
 * as it gets close; the other 20 % is for what it does not count (Prometheus' memory-
 * mapped blocks and chunks, Grafana's SQLite through cgo) and for collection lagging behind
 * allocation. 80 % is what the collector's memory_limiter README recommends; automemlimit's 90 %
 * (behind Prometheus', Alertmanager's and Alloy's own flags) leaves half that room.
 */
const GO_MEMORY_LIMIT_RATIO = 0.8;

const MIB = 2 ** 20;

/** The Go runtime's soft limit for a container memory limit (a Kubernetes quantity), in whole MiB. */
export function goMemoryLimitMiB(containerLimit: string): number {
  return Math.floor((parseQuantity(containerLimit) * GO_MEMORY_LIMIT_RATIO) / MIB);
}

/**
 * The GOMEMLIMIT variable for that limit. The runtime reads bytes with an optional B, KiB, MiB,
 * GiB or TiB suffix (runtime package docs); MiB keeps the value readable in a diff.
 */
export function goMemoryLimitEnv(containerLimit: string): { name: "GOMEMLIMIT"; value: string } {
  return { name: "GOMEMLIMIT", value: `${goMemoryLimitMiB(containerLimit)}MiB` };
}
