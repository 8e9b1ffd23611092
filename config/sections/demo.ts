import { z } from "zod";
import { Identity, pinnedImage, resourceRequirements, strict } from "../fields";

const demoSectionSchema = strict({
  enabled: z.boolean().describe("Run the demo in observability-demo; kind only, refused on eks."),
  image: pinnedImage.describe("The Node.js image that runs the demo services."),
  resources: resourceRequirements.describe("Requests and limits of each demo container."),
}).describe("Made-up traffic of three linked services on kind, so a new stack shows data at once.");

/** The schema of the `demo` section, by name (see Identity). */
export interface DemoSectionSchema extends Identity<typeof demoSectionSchema> {}
export const demoSection: DemoSectionSchema = demoSectionSchema;
