import * as k8s from "@kubernetes/client-node";
import * as https from "https";

type RequestOptions = Parameters<k8s.KubeConfig["applyToRequest"]>[0];

/**
 * A kubeconfig whose clients keep their connections to the API server open between requests. The
 * client library otherwise opens a new TLS connection for every request, and the test kit's waits
 * poll every 250 ms: a handshake on both sides of every poll, most of the processor time the test
 * process and the API server spend on them.
 *
 * An idle connection is closed after 30 s, well before the API server closes it (90 s), so that a
 * request never goes out on a connection the server is closing. `destroy()` closes them all.
 */
export class KeepAliveKubeConfig extends k8s.KubeConfig {
  private readonly agent = new https.Agent({ keepAlive: true, timeout: 30000 });

  override async applyToRequest(opts: RequestOptions): Promise<void> {
    await super.applyToRequest(opts);
    opts.agent = this.agent;
  }

  destroy(): void {
    this.agent.destroy();
  }
}
