// An S3-compatible object store on 127.0.0.1: gofakes3 (built from tools/gofakes3), the metrics
// bucket in place of Amazon S3. It answers the S3 API path-style, keeps objects in memory and
// accepts any credentials without checking their signatures.
import { Running, Servers, freePort } from "./processes";
import { tools } from "./tools";

export interface LocalS3 extends Running {
  /** host:port, as an S3 client's endpoint setting takes it (plain HTTP). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Starts the store and creates `bucket` in `region`, as the stack's own bucket exists before Thanos writes to it. */
export async function startS3(servers: Servers, bucket: string, region: string): Promise<LocalS3> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Quiet: a line per request is every Thanos component's bucket polling, read by nobody.
  const server = await servers.start(
    tools.s3Server(),
    ["-host", `127.0.0.1:${port}`, "-backend", "memory", "-quiet"],
    `${base}/`,
  );
  const created = await fetch(`${base}/${bucket}`, {
    method: "PUT",
    body: `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
  });
  if (!created.ok) {
    throw new Error(`creating bucket ${bucket}: ${created.status} ${await created.text()}`);
  }
  return {
    base,
    server,
    endpoint: `127.0.0.1:${port}`,
    bucket,
    region,
    accessKeyId: "test-access-key",
    secretAccessKey: "test-secret-key",
  };
}

/** The keys of the objects in the store's bucket whose key starts with `prefix`. */
export async function listObjects(s3: LocalS3, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let marker = "";
  for (;;) {
    const query = new URLSearchParams({ prefix, marker });
    const text = await (await fetch(`${s3.base}/${s3.bucket}?${query.toString()}`)).text();
    const page = [...text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
    keys.push(...page);
    if (!text.includes("<IsTruncated>true</IsTruncated>") || page.length === 0) {
      return keys;
    }
    marker = page[page.length - 1];
  }
}
