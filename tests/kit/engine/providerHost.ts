// Serves a stand-in provider to the engine over its provider protocol (pulumirpc.ResourceProvider),
// as a plugin `pulumi-resource-<name>` does: the port on stdout, then the engine's calls. The SDK's
// own host (`@pulumi/pulumi/provider`, main()) answers Configure without reading it and refuses
// CheckConfig, which leaves a provider with settings (the Grafana provider's `url` and `auth`)
// nothing to connect with; this host hands the settings to the provider and diffs them.
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { IResourceProviderServer, ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { resourceType } from "./urn";

/** Property values as the engine sends them: plain JSON, UNKNOWN where a preview does not know one yet. */
export type Properties = Readonly<Record<string, unknown>>;

/** What the engine sends for a value not known during a preview (sdk/go/common/resource/plugin: UnknownStringValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

/** How an update changes one top-level property. */
export type PropertyChange =
  | "add"
  | "delete"
  | "update"
  | "add-replace"
  | "delete-replace"
  | "update-replace";

export interface StandInProvider {
  readonly version: string;
  /** The provider's settings (the inputs of its provider resource), once they are all known. */
  configure(settings: Properties): void;
  /** The inputs with the provider's defaults applied, or what is wrong with them. */
  check(type: string, news: Properties): { inputs: Properties; failures: readonly CheckFailure[] };
  /** The properties an update from `olds` (the last outputs) to `news` changes. */
  diff(type: string, olds: Properties, news: Properties): Readonly<Record<string, PropertyChange>>;
  create(type: string, news: Properties): Promise<{ id: string; outs: Properties }>;
  /** What the resource is now, or undefined when it is gone. */
  read(type: string, id: string, olds: Properties): Promise<Properties | undefined>;
  update(type: string, id: string, olds: Properties, news: Properties): Promise<Properties>;
  delete(type: string, id: string, olds: Properties): Promise<void>;
}

const PROPERTY_DIFF: Readonly<Record<PropertyChange, rpc.PropertyDiff.Kind>> = {
  add: rpc.PropertyDiff.Kind.ADD,
  delete: rpc.PropertyDiff.Kind.DELETE,
  update: rpc.PropertyDiff.Kind.UPDATE,
  "add-replace": rpc.PropertyDiff.Kind.ADD_REPLACE,
  "delete-replace": rpc.PropertyDiff.Kind.DELETE_REPLACE,
  "update-replace": rpc.PropertyDiff.Kind.UPDATE_REPLACE,
};

const plain = (struct: Struct | undefined): Properties => (struct?.toJavaScript() ?? {}) as Properties;
// A Struct holds no undefined: absent properties are left out.
const struct = (properties: Properties): Struct =>
  Struct.fromJavaScript(
    JSON.parse(JSON.stringify(properties)) as Parameters<typeof Struct.fromJavaScript>[0],
  );

/** Answers one call, turning a thrown error into the gRPC error the engine reports with its message. */
function unary<Req, Res>(handle: (request: Req) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) =>
          callback({
            code: grpc.status.UNKNOWN,
            details: error instanceof Error ? error.message : String(error),
          }),
      );
  };
}

function diffResponse(changes: Readonly<Record<string, PropertyChange>>): rpc.DiffResponse {
  const response = new rpc.DiffResponse();
  const keys = Object.keys(changes).sort();
  response.setChanges(
    keys.length === 0 ? rpc.DiffResponse.DiffChanges.DIFF_NONE : rpc.DiffResponse.DiffChanges.DIFF_SOME,
  );
  response.setDiffsList(keys);
  response.setReplacesList(keys.filter((key) => changes[key].endsWith("-replace")));
  response.setHasdetaileddiff(true);
  for (const key of keys) {
    response.getDetaileddiffMap().set(key, new rpc.PropertyDiff().setKind(PROPERTY_DIFF[changes[key]]));
  }
  return response;
}

/** The settings a provider resource changes between `olds` and `news`: updates, as a change of settings replaces nothing. */
function settingsDiff(olds: Properties, news: Properties): Record<string, PropertyChange> {
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])];
  return Object.fromEntries(
    keys
      .filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]))
      .map((key): [string, PropertyChange] => [
        key,
        olds[key] === undefined ? "add" : news[key] === undefined ? "delete" : "update",
      ]),
  );
}

/** The calls a stand-in answers. */
type ImplementedCalls = Pick<
  IResourceProviderServer,
  | "getPluginInfo"
  | "checkConfig"
  | "diffConfig"
  | "configure"
  | "check"
  | "diff"
  | "create"
  | "read"
  | "update"
  | "delete"
  | "cancel"
>;

function server(provider: StandInProvider): ImplementedCalls {
  return {
    getPluginInfo: unary(() => new PluginInfo().setVersion(provider.version)),
    // Settings are taken as given: a wrong URL or login shows at the first call that uses it.
    checkConfig: unary((request: rpc.CheckRequest) => new rpc.CheckResponse().setInputs(request.getNews())),
    diffConfig: unary((request: rpc.DiffRequest) =>
      diffResponse(settingsDiff(plain(request.getOlds()), plain(request.getNews()))),
    ),
    // Secrets arrive as plain values (acceptSecrets false): the engine keeps outputs secret where inputs were.
    configure: unary((request: rpc.ConfigureRequest) => {
      const prefix = `${request.getType()?.replace(/^pulumi:providers:/, "") ?? ""}:config:`;
      provider.configure(
        Object.fromEntries(
          [...request.getVariablesMap().entries()].map(([key, value]) => [key.replace(prefix, ""), value]),
        ),
      );
      return new rpc.ConfigureResponse().setAcceptsecrets(false).setSupportspreview(false);
    }),
    check: unary((request: rpc.CheckRequest) => {
      const { inputs, failures } = provider.check(resourceType(request.getUrn()), plain(request.getNews()));
      return new rpc.CheckResponse()
        .setInputs(struct(inputs))
        .setFailuresList(
          failures.map((f) => new rpc.CheckFailure().setProperty(f.property).setReason(f.reason)),
        );
    }),
    diff: unary((request: rpc.DiffRequest) =>
      diffResponse(
        provider.diff(resourceType(request.getUrn()), plain(request.getOlds()), plain(request.getNews())),
      ),
    ),
    create: unary(async (request: rpc.CreateRequest) => {
      const { id, outs } = await provider.create(
        resourceType(request.getUrn()),
        plain(request.getProperties()),
      );
      return new rpc.CreateResponse().setId(id).setProperties(struct(outs));
    }),
    read: unary(async (request: rpc.ReadRequest) => {
      const outs = await provider.read(
        resourceType(request.getUrn()),
        request.getId(),
        plain(request.getProperties()),
      );
      // An empty ID tells the engine the resource is gone.
      return outs === undefined
        ? new rpc.ReadResponse()
        : new rpc.ReadResponse().setId(request.getId()).setProperties(struct(outs));
    }),
    update: unary(async (request: rpc.UpdateRequest) => {
      const outs = await provider.update(
        resourceType(request.getUrn()),
        request.getId(),
        plain(request.getOlds()),
        plain(request.getNews()),
      );
      return new rpc.UpdateResponse().setProperties(struct(outs));
    }),
    delete: unary(async (request: rpc.DeleteRequest) => {
      await provider.delete(resourceType(request.getUrn()), request.getId(), plain(request.getProperties()));
      return new Empty();
    }),
    cancel: unary(() => new Empty()),
  };
}

/** Serves `provider` on a port of 127.0.0.1 and prints the port, as the engine expects of a plugin. */
export async function serveProvider(provider: StandInProvider): Promise<void> {
  const grpcServer = new grpc.Server();
  // Calls the stand-in does not implement (Handshake, GetSchema, Construct…) are answered UNIMPLEMENTED,
  // which the engine takes as "not supported" and goes on without.
  grpcServer.addService(ResourceProviderService, server(provider));
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  process.stdout.write(`${port}\n`);
}
