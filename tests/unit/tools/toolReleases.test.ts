// The test tools are built from the releases the stack's images ship (config/defaults.ts against
// tools/*/go.mod and the collector's builder manifest), so a version bump of one without the other
// fails here. A gap that cannot be closed is named with its reason, and fails once it is closed.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { PROJECT_ROOT } from "../../../render/renderStack";

type Images = NonNullable<(typeof PROFILE_DEFAULTS)["kind"]["images"]>;
/** The components whose image the defaults name (not the pull secrets or the registry's lists). */
type ImageName = { [K in keyof Images]-?: Images[K] extends string ? K : never }[keyof Images];
const tagOf = (image: ImageName) => String(PROFILE_DEFAULTS.kind.images?.[image]).split(":").at(-1) ?? "";

interface ToolRelease {
  /** The images built from the release the tool is. */
  readonly images: readonly ImageName[];
  /** Where the tool's release is written, from the project root. */
  readonly file: string;
  /** The tool's release, as the image's tag writes it, read from the file's text. */
  readonly release: (text: string) => string | undefined;
  /** Why the tool cannot be the image's release, when it is not. */
  readonly gap?: string;
}

/** The version a go.mod requires of `module`. */
const required = (module: string) => (text: string) =>
  new RegExp(`^\\s*${module.replace(/\./g, "\\.")} (v\\S+)`, "m").exec(text)?.[1];

const TOOL_RELEASES: readonly ToolRelease[] = [
  {
    images: ["prometheus"],
    file: "tools/prometheus/go.mod",
    // Prometheus 3.M.P is tagged v0.3MM.P for Go modules.
    release: (text) => {
      const [, minor, patch] =
        /^v0\.3(\d\d)\.(\d+)$/.exec(required("github.com/prometheus/prometheus")(text) ?? "") ?? [];
      return minor === undefined ? undefined : `v3.${Number(minor)}.${patch}`;
    },
  },
  {
    images: ["alertmanager"],
    file: "tools/alertmanager/go.mod",
    release: required("github.com/prometheus/alertmanager"),
  },
  {
    images: ["kubeStateMetrics"],
    file: "tools/kube-state-metrics/go.mod",
    release: required("k8s.io/kube-state-metrics/v2"),
  },
  {
    images: ["kubeRbacProxy"],
    file: "tools/kube-rbac-proxy/go.mod",
    release: required("github.com/brancz/kube-rbac-proxy"),
  },
  { images: ["alloy"], file: "tools/alloy/go.mod", release: required("github.com/grafana/alloy") },
  {
    images: ["thanosSidecar", "thanosQuery", "thanosStore", "thanosCompactor"],
    file: "tools/thanos/go.mod",
    release: required("github.com/thanos-io/thanos"),
  },
  {
    images: ["otelCollector"],
    file: "tools/otelcol/manifest.yaml",
    release: (text) => String((yaml.load(text) as { dist: { version: string } }).dist.version),
    gap: "the module proxy serves no servicegraphconnector at v0.129.0 to v0.131.0; v0.128.0 is the nearest release it serves in full",
  },
];

/** What keeps the tool and its images apart: each image whose tag is not the tool's release. */
function drift(tool: ToolRelease, text: string): string[] {
  const release = tool.release(text);
  if (release === undefined) return [`${tool.file} names no release`];
  const bare = (version: string) => version.replace(/^v/, "");
  return tool.images.flatMap((image) => {
    const tag = tagOf(image);
    return bare(tag) === bare(release) ? [] : [`images.${image} is ${tag}, ${tool.file} builds ${release}`];
  });
}

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

test.each(TOOL_RELEASES.map((tool) => [tool.file, tool] as const))(
  "%s builds the release its images ship, or names why not",
  (_, tool) => {
    const found = drift(tool, read(tool.file));
    if (tool.gap === undefined) {
      expect(found).toEqual([]);
    } else {
      // The gap is still there; once closed, its reason goes.
      expect(found).toHaveLength(tool.images.length);
    }
  },
);

test("a tool bumped without its image, or an image without its tool, is found", () => {
  const alertmanager = TOOL_RELEASES.find((tool) => tool.images.includes("alertmanager")) as ToolRelease;
  const bumped = read(alertmanager.file).replace(/(prometheus\/alertmanager) v\S+/, "$1 v0.29.0");
  expect(drift(alertmanager, bumped)).toEqual([
    `images.alertmanager is ${tagOf("alertmanager")}, tools/alertmanager/go.mod builds v0.29.0`,
  ]);
  const prometheus = TOOL_RELEASES.find((tool) => tool.images.includes("prometheus")) as ToolRelease;
  const older = read(prometheus.file).replace(/(prometheus\/prometheus) v0\.3\d\d\.\d+/, "$1 v0.304.2");
  expect(drift(prometheus, older)).toEqual([
    `images.prometheus is ${tagOf("prometheus")}, tools/prometheus/go.mod builds v3.4.2`,
  ]);
});

test("each profile deploys the images the tools are checked against", () => {
  expect(PROFILE_DEFAULTS.eks.images).toEqual(PROFILE_DEFAULTS.kind.images);
});
