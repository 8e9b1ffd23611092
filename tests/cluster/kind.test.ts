import { KIND_SHAPE } from "../kit/cluster";
import { stackLifecycle } from "./lifecycle";

// A fresh kind cluster: one node with a laptop's capacity, kind's default `standard` class
// (local-path, no volume expansion). The stack creates every namespace it writes into.
describe("the kind render on a fresh kind-shaped cluster", () => {
  stackLifecycle({ stack: "kind", shape: KIND_SHAPE, preexistingNamespaces: [] });
});
