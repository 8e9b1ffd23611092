// The extension test stack: tests/unit/extend/Pulumi.extended.yaml is Pulumi.kind.yaml plus every key a
// team adds to make the platform its own. The prod variant lays those same keys over
// Pulumi.prod.yaml, so every extension is tested on both profiles from one stack file.
import * as path from "path";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { STACKS, StackName } from "../kit/stacks";
import { shareRender, sharedRender } from "./sharedRenders";
import { Json } from "../kit/json";

export const EXTEND_DIR = path.join(PROJECT_ROOT, "tests/unit/extend");
export const EXTENDED_STACK = "extended";

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const decode = (text: string): unknown => (/^[[{]/.test(text) ? JSON.parse(text) : text);

/** What `extended` has that `base` does not, key by key. */
function added(extended: unknown, base: unknown): unknown {
  if (!isObject(extended) || !isObject(base)) {
    return base === undefined ? extended : undefined;
  }
  const entries = Object.entries(extended)
    .map(([key, value]) => [key, added(value, base[key])] as const)
    .filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function merged(base: unknown, extra: unknown): unknown {
  if (!isObject(base) || !isObject(extra)) {
    return extra ?? base;
  }
  const result: Json = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    result[key] = merged(base[key], value);
  }
  return result;
}

/**
 * The port the team's annotated pods in its discovery namespace name (prometheus.io/port): on a
 * stack that lists the ports annotated pods are scraped on (prod lists none), the team adds it, as
 * the config requires of a discovery namespace there.
 */
const TEAM_POD_PORT = 9102;

function withTeamPodPort(metrics: Json): Json {
  const discovery = metrics.annotationDiscovery as { namespaces: string[]; ports?: number[] } | undefined;
  return discovery?.ports === undefined || discovery.namespaces.length === 0
    ? metrics
    : { ...metrics, annotationDiscovery: { ...discovery, ports: [...discovery.ports, TEAM_POD_PORT] } };
}

/** The committed stack file of `profile` with the extension keys of the extended stack file laid over it. */
export function extendedConfig(profile: StackName): { config: Record<string, string>; secretKeys: string[] } {
  const extended = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const kind = readStackFile("kind", PROJECT_ROOT).config;
  const target = readStackFile(profile, PROJECT_ROOT);
  const config = { ...target.config };
  for (const [key, text] of Object.entries(extended.config)) {
    const extension = added(decode(text), kind[key] === undefined ? undefined : decode(kind[key]));
    if (extension !== undefined) {
      const laid = merged(config[key] === undefined ? undefined : decode(config[key]), extension);
      const value = key === "observability:metrics" ? withTeamPodPort(laid as Json) : laid;
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys: [...new Set([...target.secretKeys, ...extended.secretKeys])] };
}

/**
 * The extended stack file's metrics block, to lay over another stack file's alone: without its
 * OpenSLO files, whose alert policies notify a receiver of the extended stack's alerting block.
 */
export function extendedMetricsBlock(): string {
  const metrics = JSON.parse(
    readStackFile(EXTENDED_STACK, EXTEND_DIR).config["observability:metrics"],
  ) as Json;
  return JSON.stringify({ ...metrics, openSloFiles: [] });
}

function renderExtended(profile: StackName): Promise<RenderedStack> {
  const { config, secretKeys } = extendedConfig(profile);
  return renderWithConfig(profile, config, secretKeys);
}

/** The extended stack on a profile's committed stack file, rendered once per test run (tests/unit/globalSetup.ts). */
export function renderedExtended(profile: StackName): Promise<RenderedStack> {
  return sharedRender(`extended-${profile}`, () => renderExtended(profile));
}

/** Renders the extended stack on every profile into `dir` for `renderedExtended`. */
export async function shareExtendedStacks(dir: string): Promise<void> {
  for (const profile of STACKS) {
    await shareRender(dir, `extended-${profile}`, () => renderExtended(profile));
  }
}
