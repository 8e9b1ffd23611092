import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { KEY_CHANGES } from "../config/migrations";
import { PROJECT_ROOT, renderStack } from "../render/renderStack";
import { STACKS } from "../testkit/stacks";

/**
 * Each earlier release's committed stack files, as a team that adopted that release has them. With
 * this release's program they must render, or fail only on keys whose change the error explains.
 */
const RELEASES_DIR = path.join(PROJECT_ROOT, "tests/upgrades");
const releases = fs.readdirSync(RELEASES_DIR).filter((entry) => /^[0-9]+\.[0-9]+\.[0-9]+$/.test(entry));

describe.each(releases)("upgrading the stack files of release %s", (release) => {
  test.each(STACKS)("Pulumi.%s.yaml renders, or every problem says how to migrate", async (stack) => {
    const outcome = await renderStack(stack, path.join(RELEASES_DIR, release)).then(
      (render) => render.objects.length,
      (error: unknown) => error,
    );
    if (typeof outcome === "number") {
      expect(outcome).toBeGreaterThan(0);
      return;
    }
    expect(outcome).toBeInstanceOf(ConfigError);
    for (const problem of (outcome as ConfigError).problems) {
      expect(problem).toMatch(/; changed in [0-9.]+: .+/);
    }
  });
});

test("every key change names a release no later than this one", () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const order = (v: string) => v.split(".").map(Number);
  for (const change of KEY_CHANGES) {
    const [a, b] = [order(change.release), order(version)];
    expect(a[0] * 1e6 + a[1] * 1e3 + a[2]).toBeLessThanOrEqual(b[0] * 1e6 + b[1] * 1e3 + b[2]);
    expect(releases.length).toBeGreaterThan(0);
  }
});

test("the 0.1.0 prod stack file fails on exactly the ALB keys 0.2.0 changed, each saying how to migrate", async () => {
  const error = await renderStack("prod", path.join(RELEASES_DIR, "0.1.0")).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const keys = (error as ConfigError).problems.map((p) => p.split(" ")[0]).sort();
  expect(keys).toEqual(
    [
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/listen-ports",
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/scheme",
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/ssl-redirect",
      "observability:exposure.ingress.annotations.alb.ingress.kubernetes.io/target-type",
      "observability:exposure.ingress.certificateArn",
      "observability:exposure.ingress.tlsSecretName",
    ].sort(),
  );
  const scheme = (error as ConfigError).problems.find((p) => p.includes("/scheme"));
  expect(scheme).toMatch(/changed in 0\.2\.0: the scheme is exposure\.ingress\.scheme now, internal unless/);
});
