import { z } from "zod";
import { pinnedImage, resourceRequirements, strict } from "../fields";

export const demoSection = strict({
  enabled: z.boolean().describe("Run the demo in observability-demo; kind only, refused on eks."),
  image: pinnedImage.describe("The Node.js image that runs the demo services."),
  resources: resourceRequirements.describe("Requests and limits of each demo container."),
}).describe("Made-up traffic of three linked services on kind, so a new stack shows data at once.");
