import { ConfigError } from "../../../config";
import { DEPLOYED_IMAGES_OUTPUT } from "../../../config/deployedImages";
import { imageVersion, isDowngrade } from "../../../config/imageVersion";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { configSetJson, configSetPath } from "../../kit/userEdits";

describe("image versions as the stack's pins write them", () => {
  test.each([
    ["quay.io/prometheus/prometheus:v3.5.0", "prometheus", [3, 5, 0]],
    ["docker.io/grafana/loki:3.7.8", "loki", [3, 7, 8]],
    ["registry.example.com:5000/mirror/grafana/grafana:12.1.1", "grafana", [12, 1, 1]],
    ["docker.io/grafana/grafana:12.1.1-ubuntu@sha256:0123", "grafana", [12, 1, 1]],
  ])("%s is %s %j", (reference, name, version) => {
    expect(imageVersion(reference)).toMatchObject({ name, version });
  });

  test("a tag that is no version, or an image by digest alone, has none", () => {
    expect(imageVersion("docker.io/grafana/loki:latest")).toBeUndefined();
    expect(imageVersion("docker.io/grafana/loki@sha256:0123")).toBeUndefined();
    expect(imageVersion("localhost:5000/loki")).toBeUndefined();
  });

  test("a downgrade is a lower version of the same image, through any mirror", () => {
    expect(isDowngrade("docker.io/grafana/loki:3.7.8", "docker.io/grafana/loki:3.5.3")).toBe(true);
    expect(isDowngrade("docker.io/grafana/loki:3.7.8", "mirror.example.com/grafana/loki:3.5.3")).toBe(true);
    expect(isDowngrade("quay.io/prometheus/prometheus:v3.5.0", "quay.io/prometheus/prometheus:v3.10.0")).toBe(
      false,
    );
    expect(isDowngrade("docker.io/grafana/loki:3.7.8", "docker.io/grafana/loki:3.7.8")).toBe(false);
    expect(isDowngrade("docker.io/grafana/loki:3.7.8", "docker.io/grafana/tempo:2.8.2")).toBe(false);
    expect(isDowngrade("docker.io/grafana/loki:3.7.8", "docker.io/grafana/loki:latest")).toBe(false);
  });
});

describe("an update that takes a data server back to an older release", () => {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);

  test("is refused before anything registers, naming the key, both versions and the way out", async () => {
    const deployed = await rendered("kind");
    const older = configSetPath(config, "images.loki", "docker.io/grafana/loki:3.5.3");
    const refusal = await renderWithConfig("kind", older, secretKeys, deployed.outputs).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(String(refusal)).toContain(
      "observability:images.loki cannot go back from docker.io/grafana/loki:3.7.8 to docker.io/grafana/loki:3.5.3",
    );
    expect(String(refusal)).toContain("observability:images.acceptDowngrade");
  });

  test("goes through once images.acceptDowngrade names it, and a newer image always does", async () => {
    const deployed = await rendered("kind");
    const accepted = configSetJson(
      configSetPath(config, "images.loki", "docker.io/grafana/loki:3.5.3"),
      "images.acceptDowngrade",
      ["loki"],
    );
    const back = await renderWithConfig("kind", accepted, secretKeys, deployed.outputs);
    expect((back.outputs[DEPLOYED_IMAGES_OUTPUT] as Record<string, string>).loki).toBe(
      "docker.io/grafana/loki:3.5.3",
    );
    const newer = configSetPath(config, "images.prometheus", "quay.io/prometheus/prometheus:v3.6.0");
    await expect(renderWithConfig("kind", newer, secretKeys, deployed.outputs)).resolves.toBeDefined();
  });

  test("acceptDowngrade takes only the data servers' keys", async () => {
    const wrong = configSetJson(config, "images.acceptDowngrade", ["otelCollector"]);
    const refusal = await renderWithConfig("kind", wrong, secretKeys).catch((e: unknown) => e);
    expect(String(refusal)).toMatch(
      /observability:images\.acceptDowngrade\[0\].*prometheus.*alertmanager.*loki.*tempo.*grafana/s,
    );
  });
});
