import { VariableSpec } from "../dashboard/model";

/** The `$service` picker of the per-service dashboards, listing the services the recording rules see. */
export const SERVICE_VARIABLE: VariableSpec = {
  name: "service",
  label: "Service",
  query: "label_values(service:http_requests:rate5m, service)",
};

/** The label matcher that keeps the services picked in `$service`. */
export const SERVICE_MATCHER = 'service=~"$service"';
