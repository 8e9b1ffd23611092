import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, as the engine would have received it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
}

/** Stand-in values for outputs the real providers compute, so the program can use them. */
function computedOutputs(type: string, name: string): Record<string, unknown> {
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { result: `mock-password-${name}`, bcryptHash: `mock-bcrypt-${name}` };
    case "random:index/randomId:RandomId":
      return { hex: "00000000", b64Std: "AAAAAA==", b64Url: "AAAAAA", dec: "0" };
    default:
      return {};
  }
}

/** Pulumi mocks that record every registration instead of creating anything. */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly registrations: Registration[] = [];

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    this.registrations.push({
      type: args.type,
      name: args.name,
      inputs: args.inputs as Record<string, unknown>,
      provider: args.provider,
    });
    return {
      id: `${args.name}-id`,
      state: { ...(args.inputs as object), ...computedOutputs(args.type, args.name) },
    };
  }

  call(_args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    return {};
  }
}
