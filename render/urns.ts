// What a resource is to the engine: its URN, made of the stack, the project, its parents' types and
// its own, and its name. An update keeps a resource's state only when the URN it registers under,
// or one of its aliases, is the URN the state holds: any other is a delete and a create.
import { Registration } from "./mocks";

/** The parts of a URN: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
function parts(urn: string): { prefix: string; project: string; qualifiedType: string } {
  const [prefix, project, qualifiedType] = urn.split("::");
  return { prefix, project, qualifiedType };
}

/** The root stack resource parents what the program registers at the top, but is no part of their type. */
const ROOT_TYPE = "pulumi:pulumi:Stack";

/** A deployment: what every URN of it starts with. */
export interface Deployment {
  readonly stack: string;
  readonly project: string;
}

/** The root stack resource's URN: the parent of a registration that names none. */
const rootUrn = ({ stack, project }: Deployment) =>
  `urn:pulumi:${stack}::${project}::${ROOT_TYPE}::${project}-${stack}`;

const parentOf = (registration: Registration, deployment: Deployment) =>
  registration.parent === "" ? rootUrn(deployment) : registration.parent;

/** The URN of a resource of `type` and `name` under a parent of URN `parentUrn`. */
function urnUnder(parentUrn: string, type: string, name: string): string {
  const { prefix, project, qualifiedType } = parts(parentUrn);
  const parentType = qualifiedType === ROOT_TYPE ? "" : `${qualifiedType}$`;
  return `${prefix}::${project}::${parentType}${type}::${name}`;
}

/**
 * Every URN each registration answers to, by its own URN: the one it registers under, and those its
 * aliases (`{ type }`) and its parents' give it, as the engine derives a child's aliases from its
 * parent's.
 */
export function answeredUrns(
  registrations: readonly Registration[],
  deployment: Deployment,
): Map<string, readonly string[]> {
  const byUrn = new Map(registrations.map((r) => [urnOf(r, deployment), r]));
  const answered = new Map<string, readonly string[]>();
  const resolve = (urn: string): readonly string[] => {
    const known = answered.get(urn);
    if (known !== undefined) {
      return known;
    }
    const registration = byUrn.get(urn);
    if (registration === undefined) {
      // The root stack, or a parent registered elsewhere: it answers only to its own URN.
      return [urn];
    }
    const types = [registration.type, ...registration.aliases.filter((a) => !a.startsWith("urn:"))];
    const urns = [
      ...new Set(
        resolve(parentOf(registration, deployment)).flatMap((parent) =>
          types.map((t) => urnUnder(parent, t, registration.name)),
        ),
      ),
    ];
    answered.set(urn, urns);
    return urns;
  };
  for (const urn of byUrn.keys()) {
    resolve(urn);
  }
  return answered;
}

/** The URN a registration registers under. */
export function urnOf(registration: Registration, deployment: Deployment): string {
  return urnUnder(parentOf(registration, deployment), registration.type, registration.name);
}

/**
 * How a resource is known across releases: a Kubernetes object by kind, namespace and name (as
 * upgradeDigest.ts keys them), any other by its type and name.
 */
export function resourceKey(registration: Registration): string {
  if (registration.type.startsWith("kubernetes:") && !registration.type.startsWith("pulumi:providers:")) {
    // A server-side apply patch is keyed as the object it patches, as the manifest prints it.
    const kind = (registration.type.split(":").at(-1) ?? "").replace(/Patch$/, "");
    const metadata = (registration.inputs.metadata ?? {}) as { name?: string; namespace?: string };
    return `${kind} ${metadata.namespace === undefined ? "" : `${metadata.namespace}/`}${metadata.name ?? registration.name}`;
  }
  return `${registration.type} ${registration.name}`;
}

/** Each resource's URN by its key (resourceKey), as a release's record keeps them. */
export function urnsByKey(
  registrations: readonly Registration[],
  deployment: Deployment,
): Record<string, string> {
  return Object.fromEntries(registrations.map((r) => [resourceKey(r), urnOf(r, deployment)]));
}
