import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** One resource the program registered, as the engine would have received it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
  /** Read from the cluster (`X.get`), not created: the object must already exist. */
  readonly read: boolean;
  /** The resource options that decide what `pulumi destroy` may delete. */
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Input paths whose changes the engine ignores: what an update never changes. */
  readonly ignoreChanges: readonly string[];
}

type RecordedOptions = Pick<Registration, "protect" | "retainOnDelete" | "ignoreChanges">;

interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getIgnorechangesList(): string[];
}

// The SDK's mock monitor hands mocks the inputs but not the resource options; this records
// `protect`, `retainOnDelete` and `ignoreChanges` from the request before the mock sees it.
const monitor = MockMonitor.prototype as unknown as {
  registerResource: (this: MockMonitor, req: RegisterResourceRequest, callback: unknown) => Promise<void>;
};
const registerResource = monitor.registerResource;
monitor.registerResource = function (this: MockMonitor, req: RegisterResourceRequest, callback: unknown) {
  if (this.mocks instanceof RecordingMocks) {
    this.mocks.noteOptions(req.getType(), req.getName(), {
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      ignoreChanges: req.getIgnorechangesList(),
    });
  }
  return registerResource.call(this, req, callback);
};

/**
 * Stand-in values for outputs the real providers compute, so the program can use them. They
 * depend on the inputs, as the real ones do: new keepers, new password.
 */
function computedOutputs(type: string, name: string, inputs: unknown): Record<string, unknown> {
  const digest = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
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
    if (record[specialSigKey] === specialSecretSig) {
      return unwrapSecrets(record.value);
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/**
 * Pulumi mocks that record every registration instead of creating anything. A stack reference
 * (the program reads its own previous outputs) sees `previousOutputs`: none is a first deployment.
 */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly registrations: Registration[] = [];
  private readonly options = new Map<string, RecordedOptions>();

  constructor(private readonly previousOutputs: Record<string, unknown> = {}) {}

  noteOptions(type: string, name: string, options: RecordedOptions): void {
    this.options.set(`${type}::${name}`, options);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
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
    this.registrations.push({
      type: args.type,
      name: args.name,
      inputs: unwrapSecrets(read ? { id: args.id } : args.inputs) as Record<string, unknown>,
      provider: args.provider,
      read,
      ...(this.options.get(`${args.type}::${args.name}`) ?? {
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
      }),
    });
    return {
      id: `${args.name}-id`,
      state: { ...(args.inputs as object), ...computedOutputs(args.type, args.name, args.inputs) },
    };
  }

  call(_args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    return {};
  }
}
