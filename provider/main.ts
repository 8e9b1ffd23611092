// The provider plugin `pulumi-resource-observability`: serves the components to the engine, which
// starts it for a program in any language that registers one of them.
import * as provider from "@pulumi/pulumi/provider";
import { ObservabilityProvider } from "./provider";

void provider.main(new ObservabilityProvider(), process.argv.slice(2));
