// The replicated Loki of the prod render on 127.0.0.1: one process per replica, each in a zone of
// its own, gossiping in one memberlist ring, on one S3-compatible store (testkit/objectStore.ts).
import * as fs from "fs";
import * as path from "path";
import { NODE_ZONE_PLACEHOLDER } from "../components/logs/zoneReader";
import { KubeObject } from "../render/manifest";
import { LocalLoki, LocalLokiConfig, bootLoki, localLokiConfig, storeInLocalS3 } from "./localServers";
import { LocalS3 } from "./objectStore";
import { Servers, freePort, restartServer } from "./processes";
import { containerEnv, objectNamed } from "./rendered";
import { ServiceStandIn, startServiceStandIn } from "./serviceStandIn";

export interface LokiReplica extends LocalLoki {
  /** The pod's name: the ring's instance ID. */
  readonly name: string;
  readonly zone: string;
  /** Its config, data and rules, standing in for the pod's volumes. */
  readonly dir: string;
}

/**
 * `zones.length` Loki processes of the rendered config. Rewritten beside `localLokiConfig`'s
 * addresses and directories: the S3 endpoint and static credentials (IRSA's in the cluster), the
 * queriers' own frontend (the process's gRPC port), the gossip addresses (each process's own port; every process joins the others, as the headless
 * Service lists the pods), the instance ID (the pod's name; here every process shares one host
 * name) and the zone (the zone reader writes the node's in). The ring, replication factor and zone
 * awareness are the rendered ones. They start together, as the ring settles only once its members meet.
 */
export async function startLokiReplicas(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  s3: LocalS3,
  zones: readonly string[],
  alertmanagerUrl: string,
): Promise<LokiReplica[]> {
  // Every port of every process distinct: a free port is free only until someone binds it, and a
  // port handed out twice here would stop a replica at its start.
  const taken = new Set<number>();
  const distinctPorts = (ports: number[]) =>
    new Set(ports).size === ports.length && ports.every((port) => !taken.has(port));
  const configs: LocalLokiConfig[] = [];
  for (const i of zones.keys()) {
    const own = path.join(dir, `loki-${i}`);
    fs.mkdirSync(own, { recursive: true });
    let local = await localLokiConfig(objects, own, alertmanagerUrl);
    while (!distinctPorts([local.httpPort, local.config.server.grpc_listen_port as number])) {
      local = await localLokiConfig(objects, own, alertmanagerUrl);
    }
    taken.add(local.httpPort).add(local.config.server.grpc_listen_port as number);
    configs.push(local);
  }
  const gossipPorts: number[] = [];
  while (gossipPorts.length < zones.length) {
    const port = await freePort();
    if (distinctPorts([port])) {
      taken.add(port);
      gossipPorts.push(port);
    }
  }
  const locals = zones.map((zone, i) => {
    const own = path.join(dir, `loki-${i}`);
    const local = configs[i];
    const { config } = local;
    storeInLocalS3(config, s3);
    if (config.common.ring.instance_availability_zone !== NODE_ZONE_PLACEHOLDER) {
      throw new Error("the rendered Loki config has no zone for the zone reader to fill in");
    }
    config.common.ring = {
      ...config.common.ring,
      instance_id: `loki-${i}`,
      instance_addr: "127.0.0.1",
      instance_availability_zone: zone,
    };
    if (!/^localhost:\d+$/.test(String(config.frontend_worker?.frontend_address))) {
      throw new Error("the rendered Loki config does not point its queriers at their own frontend");
    }
    config.frontend_worker.frontend_address = `127.0.0.1:${config.server.grpc_listen_port}`;
    config.memberlist = {
      ...config.memberlist,
      bind_addr: ["127.0.0.1"],
      bind_port: gossipPorts[i],
      advertise_addr: "127.0.0.1",
      advertise_port: gossipPorts[i],
      join_members: gossipPorts.map((port) => `127.0.0.1:${port}`),
    };
    return { own, local, zone, name: `loki-${i}` };
  });
  return Promise.all(
    locals.map(async ({ own, local, zone, name }) => ({
      ...(await bootLoki(servers, objects, own, local)),
      name,
      zone,
      dir: own,
    })),
  );
}

/** Starts a stopped or killed replica again on its config, ports and data, as its pod restarts. */
export async function restartLokiReplica(
  servers: Servers,
  objects: readonly KubeObject[],
  replica: LokiReplica,
): Promise<LokiReplica> {
  const server = await restartServer(servers, replica.server, `${replica.base}/ready`, {
    timeoutMs: 90000,
    cwd: replica.dir,
    env: containerEnv(objects, "loki"),
  });
  return { ...replica, server };
}

/** The `loki` Service in front of the replicas: a replica gets requests while the rendered readiness probe passes. */
export function startLokiService(
  objects: readonly KubeObject[],
  replicas: readonly LokiReplica[],
): Promise<ServiceStandIn> {
  const probe = objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0].readinessProbe;
  return startServiceStandIn(
    replicas.map((r) => r.base),
    {
      path: probe.httpGet.path,
      periodMs: probe.periodSeconds * 1000,
      failureThreshold: probe.failureThreshold,
    },
  );
}
