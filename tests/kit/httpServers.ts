import * as http from "http";
import { AddressInfo } from "net";

export interface LocalHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A local HTTP server on a free 127.0.0.1 port, answering with `handler`. */
export function listen(handler: http.RequestListener): Promise<LocalHttpServer> {
  const server = http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}

/**
 * A stand-in Spring Boot service: `/actuator/prometheus` in the exposition format Micrometer
 * writes (HELP/TYPE lines, `application`, `uri`, `status`, `outcome` labels, histogram buckets and
 * the Resilience4j circuit-breaker gauge).
 */
export function springActuator(service: string): Promise<LocalHttpServer> {
  const body = [
    "# HELP http_server_requests_seconds Duration of HTTP server request handling",
    "# TYPE http_server_requests_seconds histogram",
    ...["0.1", "0.5", "1.0", "2.0", "+Inf"].map(
      (le, i) =>
        `http_server_requests_seconds_bucket{application="${service}",exception="None",method="GET",outcome="SUCCESS",status="200",uri="/api/tickets",le="${le}"} ${[80, 95, 99, 100, 100][i]}`,
    ),
    `http_server_requests_seconds_count{application="${service}",exception="None",method="GET",outcome="SUCCESS",status="200",uri="/api/tickets"} 100`,
    `http_server_requests_seconds_sum{application="${service}",exception="None",method="GET",outcome="SUCCESS",status="200",uri="/api/tickets"} 12.5`,
    "# HELP resilience4j_circuitbreaker_state The states of the circuit breaker",
    "# TYPE resilience4j_circuitbreaker_state gauge",
    ...["closed", "open", "half_open", "disabled", "forced_open", "metrics_only"].map(
      (state) =>
        `resilience4j_circuitbreaker_state{name="internalService",state="${state}"} ${state === "closed" ? 1 : 0}`,
    ),
    "# HELP jvm_memory_used_bytes The amount of used memory",
    "# TYPE jvm_memory_used_bytes gauge",
    'jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 2.5165824E7',
    "",
  ].join("\n");
  return listen((req, res) => {
    if (req.url === "/actuator/prometheus") {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
}

/** A webhook receiver that records every JSON body posted to it. */
export async function webhookReceiver(): Promise<LocalHttpServer & { readonly received: unknown[] }> {
  const received: unknown[] = [];
  const server = await listen((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(200);
      res.end();
    });
  });
  return { ...server, received };
}
