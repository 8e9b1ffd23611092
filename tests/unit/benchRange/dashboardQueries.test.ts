import { dashboardQueries, slowestRecorded } from "../../../scripts/benchRange/dashboardQueries";
import { listen } from "../../kit/httpServers";
import { rendered } from "../../support/renderedStacks";

/** A query endpoint that lists `services` for any label values question, and counts the questions. */
async function labelValues(services: readonly string[]) {
  const asked: string[] = [];
  const server = await listen((request, response) => {
    asked.push(request.url ?? "");
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify({ status: "success", data: services }));
  });
  return { server, asked };
}

describe("the dashboard queries a bench sends, as Grafana sends them", () => {
  test("a variable without All takes the first value its label_values query lists; one with All matches everything", async () => {
    const { objects } = await rendered("prod");
    const { server, asked } = await labelValues(["ticket-service", "auth-service"]);
    try {
      const queries = await dashboardQueries(objects, 7 * 86400, `http://127.0.0.1:${server.port}`);
      expect(asked).toContainEqual(expect.stringMatching(/^\/api\/v1\/label\/service\/values\?match/));
      // Service Detail shows one service: the first in sort order, as Grafana opens it.
      expect(queries).toContainEqual(expect.stringContaining('service=~"auth-service"'));
      expect(queries.some((q) => q.includes('service=~"ticket-service"'))).toBe(false);
      // Service Overview offers All.
      expect(queries).toContainEqual(expect.stringContaining('service:http_requests:rate5m{service=~".*"}'));
      expect(queries.filter((q) => /\$\{?[A-Za-z_]/.test(q))).toEqual([]);
      // label_replace's "$1" is the expression's own, not a variable.
      expect(queries.some((q) => q.includes('"$1"'))).toBe(true);
      expect(queries.some((q) => q.includes("[615s]"))).toBe(true);
    } finally {
      await server.close();
    }
  });

  test("a record's slowest answer per range is read back with its date", () => {
    const record = {
      written: "2026-11-25 03:15",
      text: [
        "| range | step | dashboard queries | whole answers | partial | series | samples | median | slowest |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        "| 30d | 2592 s | 214 | 210 | 4 | 1204 | 846132 | 15 ms | 10008 ms |",
        "| 7d | 605 s | 214 | 214 | 0 | 654 | 167403 | 5 ms | 14987 ms | 31 ms (earlier) |",
      ].join("\n"),
    };
    expect([...slowestRecorded(record)]).toEqual([
      ["30d", "10008 ms (2026-11-25 03:15)"],
      ["7d", "14987 ms (2026-11-25 03:15)"],
    ]);
    expect(slowestRecorded(undefined).size).toBe(0);
  });
});
