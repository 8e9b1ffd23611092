// The bench's tables: measured use next to what the rendered workload requests and is limited to.
import { parseQuantity } from "../../config/quantity";
import { KubeObject } from "../../render/manifest";
import { workloadNamed } from "../../tests/kit/rendered";
import { Summary } from "./sampler";

interface PodOwner {
  readonly spec: {
    readonly template: {
      readonly spec: {
        readonly containers: readonly {
          readonly name: string;
          readonly resources: { readonly requests: Quantities; readonly limits: Quantities };
        }[];
      };
    };
  };
}
type Quantities = Readonly<Record<"cpu" | "memory", string | number>>;

export interface Sizing {
  readonly cpuRequest: number;
  readonly memoryRequest: number;
  readonly cpuLimit: number;
  readonly memoryLimit: number;
}

/** Requests and limits of a rendered workload's container (the process the bench runs): its main one by default. */
export function sizing(objects: readonly KubeObject[], workload: string, container?: string): Sizing {
  const { containers } = (workloadNamed(objects, workload) as unknown as PodOwner).spec.template.spec;
  const { resources } = containers.find((c) => c.name === container) ?? containers[0];
  return {
    cpuRequest: parseQuantity(String(resources.requests.cpu)),
    memoryRequest: parseQuantity(String(resources.requests.memory)),
    cpuLimit: parseQuantity(String(resources.limits.cpu)),
    memoryLimit: parseQuantity(String(resources.limits.memory)),
  };
}

export const mi = (bytes: number) => `${Math.round(bytes / 2 ** 20)}Mi`;
const milli = (cores: number) => `${Math.round(cores * 1000)}m`;
const percent = (part: number, whole: number) => (whole === 0 ? "-" : `${Math.round((100 * part) / whole)}%`);

export interface UseRow {
  readonly component: string;
  readonly sizing: Sizing;
  readonly use: Summary;
}

const COLUMNS: readonly [string, number][] = [
  ["component", 27],
  ["request cpu/mem", 17],
  ["limit cpu/mem", 16],
  ["steady cpu/rss", 16],
  ["peak cpu/rss", 16],
  ["peak/limit mem,cpu", 20],
  ["steady/request mem,cpu", 0],
];

const line = (cells: readonly string[]) =>
  cells
    .map((c, i) => c.padEnd(COLUMNS[i][1]))
    .join("")
    .trimEnd();

/** One row per process: memory as RSS, CPU in cores (millicores). */
export function useTable(rows: readonly UseRow[]): string {
  return [
    line(COLUMNS.map(([name]) => name)),
    ...rows.map(({ component, sizing: s, use: u }) =>
      line([
        component,
        `${milli(s.cpuRequest)}/${mi(s.memoryRequest)}`,
        `${milli(s.cpuLimit)}/${mi(s.memoryLimit)}`,
        `${milli(u.steadyCpu)}/${mi(u.steadyRss)}`,
        `${milli(u.peakCpu)}/${mi(u.peakRss)}`,
        `${percent(u.peakRss, s.memoryLimit)}, ${percent(u.peakCpu, s.cpuLimit)}`,
        `${percent(u.steadyRss, s.memoryRequest)}, ${percent(u.steadyCpu, s.cpuRequest)}`,
      ]),
    ),
  ].join("\n");
}
