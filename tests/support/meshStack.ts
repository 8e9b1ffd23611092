// The committed stacks with an Istio mesh: the app namespace and a gateway namespace meshed, istiod
// in istio-system, Kiali on. prod also exposes Kiali behind the ALB with OIDC.
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { Json } from "../kit/json";
import { StackName } from "../kit/stacks";
import { OIDC } from "./exposedProd";
import { shareRender, sharedRender } from "./sharedRenders";

export const MESHED_NAMESPACES = ["tiketi-spring", "istio-ingress"];
export const ISTIOD_NAMESPACE = "istio-system";
export const KIALI_HOST = "kiali.tiketi.example.com";

export const MESH = {
  istio: { enabled: true, namespaces: MESHED_NAMESPACES, istiodNamespace: ISTIOD_NAMESPACE },
};

/** The committed stack file of `stack` with the mesh on (and on prod, Kiali exposed). */
export function meshConfig(stack: StackName): { config: Record<string, string>; secretKeys: string[] } {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const meshed = { ...config, "observability:mesh": JSON.stringify(MESH) };
  if (stack === "kind") {
    return { config: meshed, secretKeys };
  }
  const exposure = JSON.parse(config["observability:exposure"]) as Json;
  exposure.ingress = {
    ...exposure.ingress,
    kiali: { host: KIALI_HOST },
    auth: OIDC,
  };
  return {
    config: { ...meshed, "observability:exposure": JSON.stringify(exposure) },
    secretKeys: [...secretKeys, "observability:exposure"],
  };
}

const renderMesh = (stack: StackName): Promise<RenderedStack> => {
  const { config, secretKeys } = meshConfig(stack);
  return renderWithConfig(stack, config, secretKeys);
};

/** Each committed stack with the mesh on, once per test run. */
export const renderedMesh = (stack: StackName): Promise<RenderedStack> =>
  sharedRender(`${stack}-mesh`, () => renderMesh(stack));

/** Renders the mesh stacks into `dir` for `renderedMesh`. */
export async function shareMeshStacks(dir: string, stacks: readonly StackName[]): Promise<void> {
  for (const stack of stacks) {
    await shareRender(dir, `${stack}-mesh`, () => renderMesh(stack));
  }
}
