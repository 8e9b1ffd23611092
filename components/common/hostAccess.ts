/** A host directory a node agent may mount. */
interface HostPathGrant {
  readonly path: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly type: "Directory" | "DirectoryOrCreate";
}

/** Everything beyond Pod Security `restricted` that one node agent may use. */
export interface HostAccessGrant {
  readonly hostNetwork: boolean;
  readonly hostPID: boolean;
  /** Reading other users' files (e.g. root-owned 0640 container logs) needs uid 0. */
  readonly runAsRoot: boolean;
  readonly hostPaths: readonly HostPathGrant[];
}

/**
 * The only host access the stack ever asks for, keyed by the workload's `app.kubernetes.io/name`.
 * Pods built with a grant run in the node namespace; the pod-security check rejects any host
 * access that is not listed here, so widening it is a reviewed change to this file.
 */
export const HOST_ACCESS_ALLOWLIST = {
  // Node metrics: host network and PID namespace to see the node as it is, host filesystems read-only.
  "node-exporter": {
    hostNetwork: true,
    hostPID: true,
    runAsRoot: false,
    hostPaths: [
      { path: "/proc", mountPath: "/host/proc", readOnly: true, type: "Directory" },
      { path: "/sys", mountPath: "/host/sys", readOnly: true, type: "Directory" },
      { path: "/", mountPath: "/host/root", readOnly: true, type: "Directory" },
    ],
  },
  // Log agent in `node` mode: reads pod log files, keeps its read positions on the node so a
  // restart neither loses nor re-ships lines.
  alloy: {
    hostNetwork: false,
    hostPID: false,
    runAsRoot: true,
    hostPaths: [
      { path: "/var/log/pods", mountPath: "/var/log/pods", readOnly: true, type: "Directory" },
      {
        path: "/var/lib/observability-alloy",
        mountPath: "/var/lib/alloy/data",
        readOnly: false,
        type: "DirectoryOrCreate",
      },
    ],
  },
} as const satisfies Record<string, HostAccessGrant>;

export type HostAccessName = keyof typeof HOST_ACCESS_ALLOWLIST;
