import * as fs from "fs";
import * as path from "path";
import { ALERTMANAGER_PATHS } from "../../components/metrics/names";
import { KubeObject } from "../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { StackName } from "./stacks";
import { Running, Servers, freePort } from "./processes";
import { configMapData, containerArgs, containerEnv, objectNamed } from "./rendered";
import { tools } from "./tools";
import { Json } from "./json";

/**
 * A committed stack rendered with its `alerting` settings changed as given, e.g. receivers that
 * point at a local webhook. The block is marked secret, as receiver URLs are.
 */
export async function renderWithAlerting(stack: StackName, alerting: Json): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const committed = JSON.parse(config["observability:alerting"] ?? "{}") as Json;
  const { objects } = await renderWithConfig(
    stack,
    { ...config, "observability:alerting": JSON.stringify({ ...committed, ...alerting }) },
    [...secretKeys, "observability:alerting"],
  );
  return objects;
}

/**
 * The rendered alertmanager.yml, its notification templates and the receiver Secret's files in
 * `dir`, with the in-pod paths rewritten to them; returns the config file's path.
 */
export function writeAlertmanagerFiles(objects: readonly KubeObject[], dir: string): string {
  const secrets = path.join(dir, "alertmanager-secrets");
  fs.mkdirSync(secrets, { recursive: true });
  const secret = objectNamed(objects, "Secret", "alertmanager-receivers");
  // A Secret without keys has no stringData: the mounted directory is empty.
  for (const [key, value] of Object.entries((secret.stringData ?? {}) as Record<string, string>)) {
    fs.writeFileSync(path.join(secrets, key), value);
  }
  const data = configMapData(objects, "alertmanager-config");
  const templates = path.join(dir, path.basename(ALERTMANAGER_PATHS.templatesFile));
  fs.writeFileSync(templates, data[path.basename(ALERTMANAGER_PATHS.templatesFile)]);
  const file = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(
    file,
    data["alertmanager.yml"]
      .replaceAll(ALERTMANAGER_PATHS.secretsDir, secrets)
      .replaceAll(ALERTMANAGER_PATHS.templatesFile, templates),
  );
  return file;
}

/** How a test runs Alertmanager beyond what the render says. */
export interface AlertmanagerLaunch {
  /** A command Alertmanager runs under, its binary and arguments appended (`unshare … sh -c …`). */
  readonly wrapper?: readonly string[];
  /** Added to the container's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Alertmanager with the rendered config and receiver Secret, clustering off (one local process). */
export async function startAlertmanager(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  launch: AlertmanagerLaunch = {},
): Promise<Running> {
  const port = await freePort();
  const args = containerArgs(objects, "alertmanager", {
    "--config.file": writeAlertmanagerFiles(objects, dir),
    "--storage.path": path.join(dir, "alertmanager-data"),
    "--web.listen-address": `127.0.0.1:${port}`,
    "--cluster.listen-address": "",
  }).filter((arg) => !arg.startsWith("--cluster.peer") && !arg.startsWith("--cluster.advertise-address"));
  const base = `http://127.0.0.1:${port}`;
  const [command, ...wrapperArgs] = [...(launch.wrapper ?? []), tools.alertmanager()];
  return {
    base,
    server: await servers.start(command, [...wrapperArgs, ...args], `${base}/-/ready`, {
      env: { ...containerEnv(objects, "alertmanager"), ...launch.env },
    }),
  };
}

/**
 * The rendered Alertmanager replicas as a local gossip cluster: one process per rendered
 * `--cluster.peer`, each on its own ports and data directory, gossiping with the others on their
 * local mesh ports. Started in peer order, so replica 0 holds the lowest member name (peer
 * position 0, the one that notifies first).
 */
export async function startAlertmanagerCluster(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
): Promise<Running[]> {
  const replicas = containerArgs(objects, "alertmanager", {}).filter((a) => a.startsWith("--cluster.peer="));
  if (replicas.length < 2) {
    throw new Error(`the rendered Alertmanager has ${replicas.length} peers: not a cluster`);
  }
  const config = writeAlertmanagerFiles(objects, dir);
  const ports: { web: number; mesh: number }[] = [];
  for (let i = 0; i < replicas.length; i++) {
    ports.push({ web: await freePort(), mesh: await freePort() });
  }
  const running: Running[] = [];
  for (const [i, { web, mesh }] of ports.entries()) {
    const args = containerArgs(objects, "alertmanager", {
      "--config.file": config,
      "--storage.path": path.join(dir, `alertmanager-data-${i}`),
      "--web.listen-address": `127.0.0.1:${web}`,
      "--cluster.listen-address": `127.0.0.1:${mesh}`,
      "--cluster.advertise-address": `127.0.0.1:${mesh}`,
    }).filter((arg) => !arg.startsWith("--cluster.peer="));
    const peers = ports.map((p) => `--cluster.peer=127.0.0.1:${p.mesh}`);
    const base = `http://127.0.0.1:${web}`;
    running.push({
      base,
      server: await servers.start(tools.alertmanager(), [...args, ...peers], `${base}/-/ready`),
    });
  }
  return running;
}
