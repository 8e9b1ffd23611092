// A reference service pod's /actuator/prometheus at production shape: the Spring Boot fixture with
// percentiles-histogram on, its http.server.requests timer observed on ten URI templates per
// service instead of one. 21 tag sets x (69 buckets + count + sum + max) plus the JVM, HikariCP and
// Resilience4j meters: 1,534 series per pod, as a service with ten endpoints and their error paths
// publishes.
import { exposition } from "../../tests/kit/expositions/index";

const TIMER = /^http_server_requests_seconds(_bucket|_count|_sum|_max)\{/;

/** Ten URI templates of one service's REST API, e.g. /api/tickets/{id}/reserve. */
export function uriTemplates(service: string): string[] {
  const stem = `/api/${service.replace(/-service$/, "")}s`;
  return [
    stem,
    `${stem}/{id}`,
    `${stem}/{id}/reserve`,
    `${stem}/{id}/cancel`,
    `${stem}/{id}/status`,
    `${stem}/{id}/history`,
    `${stem}/search`,
    `${stem}/batch`,
    `${stem}/summary`,
    `${stem}/recent`,
  ];
}

/**
 * The fixture with each http_server_requests_seconds line of a real URI repeated for every
 * template of `service` (the catch-all `/**` of unmatched requests stays one).
 */
export function springPodExposition(service: string): string {
  const uris = uriTemplates(service);
  return exposition("spring-boot-percentiles-histogram")
    .split("\n")
    .flatMap((line) =>
      TIMER.test(line) && !line.includes('uri="/**"')
        ? uris.map((uri) => line.replace(/uri="[^"]*"/, `uri="${uri}"`))
        : [line],
    )
    .join("\n");
}
