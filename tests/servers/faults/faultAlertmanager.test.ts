// One of the prod render's three Alertmanagers killed (SIGKILL) during the
// group_wait of a firing alert. Prometheus posts every alert to every replica; the replicas
// notify in peer order, each waiting peer_timeout (15 s, Alertmanager's default, which the render
// keeps) per position and skipping a notification the gossiped notification log already holds.
// With the first replica dead, the second notifies, after group_wait + one peer_timeout, and the
// third, whose turn comes a peer_timeout later, finds it in the log: the webhook gets the
// notification exactly once, from the second (each replica counts what it sent).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderWithAlerting, startAlertmanagerCluster } from "../../kit/alertmanager";
import { getJson, metricValue } from "../../kit/http";
import { webhookReceiver } from "../../kit/httpServers";
import { Running, Servers, eventually } from "../../kit/processes";
import { containerArgs } from "../../kit/rendered";
import { logFault, seconds } from "./faultLog";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";

const GROUP_WAIT_S = 10;
/** Alertmanager's --cluster.peer-timeout default; the render sets no other. */
const PEER_TIMEOUT_S = 15;

describe("one of three Alertmanagers killed while an alert fires (prod render)", () => {
  const servers = new Servers();
  let dir: string;
  let webhook: Awaited<ReturnType<typeof webhookReceiver>>;
  let replicas: Running[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fault-alertmanager-"));
    webhook = await webhookReceiver();
    const objects = await renderWithAlerting("prod", {
      webhook: { url: `http://127.0.0.1:${webhook.port}/alerts` },
      groupWait: `${GROUP_WAIT_S}s`,
    });
    expect(
      containerArgs(objects, "alertmanager", {}).some((a) => a.startsWith("--cluster.peer-timeout")),
    ).toBe(false);
    replicas = await startAlertmanagerCluster(servers, objects, dir);
    // Every replica sees the other two before the alert arrives, as in a settled StatefulSet.
    await eventually(
      async () => {
        const statuses = await Promise.all(replicas.map((r) => getJson(`${r.base}/api/v2/status`)));
        return statuses.every((s) => s.cluster.status === "ready" && (s.cluster.peers as Json[]).length === 3)
          ? true
          : undefined;
      },
      "three settled peers",
      60000,
    );
  }, 120000);

  afterAll(async () => {
    await servers.stopAll();
    await webhook?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the notification arrives exactly once, sent by the second replica in peer order", async () => {
    expect(replicas).toHaveLength(3);
    const alert = {
      labels: { alertname: "ServiceDown", severity: "critical", service: "payment-service" },
      annotations: { summary: "payment-service is down" },
      startsAt: new Date().toISOString(),
    };
    const postedAt = Date.now();
    for (const replica of replicas) {
      const response = await fetch(`${replica.base}/api/v2/alerts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify([alert]),
      });
      expect(response.status).toBe(200);
    }
    // Mid group_wait, the replica at peer position 0 (the one that would notify first) dies.
    await sleep((GROUP_WAIT_S / 2) * 1000);
    replicas[0].server.process.kill("SIGKILL");

    const ours = () =>
      (webhook.received as Json[]).filter((n) => n.groupLabels?.service === "payment-service");
    // The third replica's turn, had the second not notified.
    const thirdTurn = (GROUP_WAIT_S + 2 * PEER_TIMEOUT_S) * 1000;
    await eventually(
      () => Promise.resolve(ours().length > 0 ? true : undefined),
      "the notification",
      thirdTurn + 10000,
    );
    const firstAfterMs = Date.now() - postedAt;
    // The third replica's turn comes one more peer_timeout later: wait it out, and some.
    await sleep((PEER_TIMEOUT_S + 10) * 1000);
    const byGroupKey = new Map<string, number>();
    for (const n of ours()) {
      byGroupKey.set(n.groupKey as string, (byGroupKey.get(n.groupKey as string) ?? 0) + 1);
    }
    const sent = (replica: Running) =>
      metricValue(replica.base, "alertmanager_notifications_total", (l) =>
        l.includes('integration="webhook"'),
      );
    const sentBySurvivors = [await sent(replicas[1]), await sent(replicas[2])];
    logFault({
      fault: "Alertmanager replica 0 of 3 SIGKILLed mid group_wait (prod render, gossip cluster)",
      sent: "1 alert posted to each of the 3 replicas (as Prometheus does)",
      arrived: `${ours().length} notification(s) at the webhook, by group key ${JSON.stringify(Object.fromEntries(byGroupKey))}; sent by replicas 1 and 2: ${sentBySurvivors.join(" and ")}`,
      lost: `${byGroupKey.size === 0 ? 1 : 0} notification(s); ${ours().length - byGroupKey.size} duplicate(s)`,
      gap: `first notification ${seconds(firstAfterMs)} after the post (group_wait ${GROUP_WAIT_S} s + peer_timeout ${PEER_TIMEOUT_S} s)`,
    });
    expect([...byGroupKey.values()]).toEqual([1]);
    expect(ours()[0]).toMatchObject({ status: "firing", receiver: "critical" });
    // The second replica's turn, not the third's; not the dead one's before it died.
    expect(sentBySurvivors).toEqual([1, 0]);
    expect(firstAfterMs).toBeGreaterThan((GROUP_WAIT_S + PEER_TIMEOUT_S) * 1000);
  }, 120000);
});
