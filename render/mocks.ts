import { createHash } from "crypto";
import {
  MockCallArgs,
  MockCallResult,
  MockResourceArgs,
  MockResourceResult,
  OptionRecordingMocks,
  RegisteredOptions,
  isSecretEnvelope,
} from "../runtime/pulumiSdk";

/** An object the cluster holds before the deployment, as a read finds it. */
export interface ClusterObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** One resource the program registered, as the engine would have received it. */
export interface Registration extends RegisteredOptions {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
  /** Read from the cluster (`X.get`), not created: the object must already exist. */
  readonly read: boolean;
  /** A read's object as the cluster holds it, when the mocks were given the cluster. */
  readonly live?: ClusterObject;
}

/** The account AWS resources of a mock deployment belong to: AWS's documentation's example account. */
const MOCK_AWS_ACCOUNT = "123456789012";

/**
 * What the AWS provider computes for a resource a program makes beside the components (a bucket's
 * name, an ARN), in the shapes AWS gives them, so that the components' checks of an ARN or a bucket
 * see what they would see: `aws:<service>/<kind>:<Kind>`.
 */
function awsOutputs(type: string, name: string, inputs: Record<string, unknown>, digest: string) {
  const [service, kind] = type.slice("aws:".length).split(":")[0].split("/");
  if (service === "s3") {
    const bucket = typeof inputs.bucket === "string" ? inputs.bucket : `${name}-${digest.slice(0, 12)}`;
    return { bucket, arn: `arn:aws:s3:::${bucket}` };
  }
  const resource = `${kind.toLowerCase()}/${typeof inputs.name === "string" ? inputs.name : name}`;
  return {
    arn: `arn:aws:${service}:${service === "iam" ? "" : "us-east-1"}:${MOCK_AWS_ACCOUNT}:${resource}`,
  };
}

/**
 * Stand-in values for outputs the real providers compute, so the program can use them. They
 * depend on the inputs, as the real ones do: new keepers, new password.
 */
function computedOutputs(type: string, name: string, inputs: unknown): Record<string, unknown> {
  const digest = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
  if (type.startsWith("aws:")) {
    return awsOutputs(type, name, inputs as Record<string, unknown>, digest);
  }
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { result: `mock-password-${name}-${digest}`, bcryptHash: `mock-bcrypt-${name}-${digest}` };
    case "random:index/randomId:RandomId":
      return { hex: "00000000", b64Std: "AAAAAA==", b64Url: "AAAAAA", dec: "0" };
    default:
      return {};
  }
}

/**
 * The mock monitor hands over a value the SDK marked secret as a whole (e.g. a Secret's
 * `stringData`) still in its wire envelope; the manifest wants the value itself.
 */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(unwrapSecrets);
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (isSecretEnvelope(record)) {
      return unwrapSecrets(record.value);
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** The Pulumi type of a Kubernetes object: `kubernetes:<group>/<version>:<kind>`, `core` for the core group. */
const pulumiTypeOf = (o: ClusterObject): string =>
  `kubernetes:${o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;

/** The id the Kubernetes provider gives an object: `<namespace>/<name>`, or `<name>` for a cluster-scoped one. */
const providerIdOf = (o: ClusterObject): string =>
  o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`;

/**
 * Pulumi mocks that record every registration instead of creating anything. A stack reference
 * (the program reads its own previous outputs, or another stack's) sees `previousOutputs`: none is
 * a first deployment. Given `cluster`, the objects that exist before the deployment, a read answers
 * with the object as the provider would, and a read of one that is not there fails as it does in
 * `pulumi preview`; without it a read answers with nothing but its id.
 */
export class RecordingMocks implements OptionRecordingMocks {
  readonly registrations: Registration[] = [];
  private readonly options = new Map<string, RegisteredOptions>();

  constructor(
    private readonly previousOutputs: Record<string, unknown> = {},
    private readonly cluster?: readonly ClusterObject[],
  ) {}

  noteOptions(type: string, name: string, options: RegisteredOptions): void {
    this.options.set(`${type}::${name}`, options);
  }

  newResource(args: MockResourceArgs): MockResourceResult {
    if (args.type === STACK_REFERENCE) {
      return {
        id: args.id ?? args.name,
        state: {
          name: (args.inputs as { name?: unknown }).name,
          outputs: this.previousOutputs,
          secretOutputNames: [],
        },
      };
    }
    // The mock monitor passes the id of a read, and an empty import id for a registration.
    const read = args.id !== undefined && args.id !== "";
    const live = read ? this.liveObject(args.type, String(args.id)) : undefined;
    this.registrations.push({
      type: args.type,
      name: args.name,
      inputs: unwrapSecrets(read ? { id: args.id } : args.inputs) as Record<string, unknown>,
      provider: args.provider,
      read,
      ...(live === undefined ? {} : { live }),
      ...(this.options.get(`${args.type}::${args.name}`) ?? {
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        aliases: [],
        dependencies: [],
        parent: "",
      }),
    });
    return {
      id: `${args.name}-id`,
      state: { ...(live ?? (args.inputs as object)), ...computedOutputs(args.type, args.name, args.inputs) },
    };
  }

  /** The object a read of `type` and `id` finds in the cluster, when the mocks were given one. */
  private liveObject(type: string, id: string): ClusterObject | undefined {
    if (this.cluster === undefined) {
      return undefined;
    }
    const found = this.cluster.find((o) => pulumiTypeOf(o) === type && providerIdOf(o) === id);
    if (found === undefined) {
      throw new Error(`${type} ${id} does not exist in the cluster: reading it fails`);
    }
    return found;
  }

  call(_args: MockCallArgs): MockCallResult {
    return {};
  }
}
