import { defineDashboard } from "./definition";
import { KUBERNETES_DASHBOARDS } from "./kubernetesSeries";

const SUCCESSORS = [KUBERNETES_DASHBOARDS.cluster, KUBERNETES_DASHBOARDS.node, KUBERNETES_DASHBOARDS.volumes];

/**
 * Where the Infrastructure dashboard's panels went: the Kubernetes dashboards show each of them
 * and more. Its address stays, so that bookmarks and links into it lead on instead of to a 404.
 */
export const infrastructure = defineDashboard(
  { uid: "obs-infrastructure", title: "Infrastructure (moved)" },
  () => ({
    description: "Moved: nodes, pods, restarts and volumes are on the Kubernetes dashboards.",
    tags: ["observability", "kubernetes"],
    links: SUCCESSORS,
    panels: [
      {
        type: "text",
        title: "Moved",
        markdown: [
          "Nodes, pods, restarts, pending pods and volume usage are on the Kubernetes dashboards:",
          "",
          ...SUCCESSORS.map(({ uid, title }) => `- [${title}](/d/${uid})`),
        ].join("\n"),
        width: 24,
        height: 6,
      },
    ],
  }),
);
