import { StackConfig } from "../../config";
import { alertFactory, ratio } from "../common/alertFactory";
import { PLATFORM_JOBS } from "./names";
import { RuleGroup } from "../common/prometheusTypes";
import { TIER_LABEL } from "../common/scrapeJobs";
import { dashboardLink, withDashboard } from "./useDashboards";

type Thresholds = StackConfig["metrics"]["alerts"];

/** A week: certificates expiring sooner need someone to act (kubernetes-mixin's warning threshold). */
const CERTIFICATE_WARNING_SECONDS = 7 * 24 * 3600;

/**
 * What a user can scrape of the control plane on kind and EKS alike (prometheusConfig.ts
 * controlPlaneJobs, kubeletJobs): the API server's errors, latency, requests it ends in
 * self-defence and client certificates, the kubelets' certificates and pod lifecycle loop, CoreDNS,
 * and the targets themselves, down or gone from discovery. Nothing here reads the scheduler,
 * controller manager or etcd, which EKS does not expose.
 */
export function controlPlaneAlertRules(
  t: Thresholds,
  runbookBaseUrl: string,
  grafanaUrl: string | undefined,
): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  const cluster = dashboardLink(grafanaUrl, "cluster");
  const node = dashboardLink(grafanaUrl, "node");
  return {
    name: "platform-control-plane",
    rules: [
      withDashboard(
        alert(
          "PlatformTargetDown",
          "critical",
          `up{${TIER_LABEL}="kubernetes"} == 0`,
          "5m",
          "{{ $labels.job }} at {{ $labels.instance }}{{ with $labels.node }} on node {{ . }}{{ end }} cannot be scraped",
          "Prometheus has not scraped {{ $labels.job }} {{ with $labels.node }}on node {{ . }} {{ end }}for 5 minutes: the platform alerts that read it are blind there.",
        ),
        node,
      ),
      // A target gone from discovery reports no `up` at all, so PlatformTargetDown cannot see it.
      withDashboard(
        alert(
          "APIServerTargetMissing",
          "critical",
          `absent(up{job="${PLATFORM_JOBS.apiserver}"})`,
          "15m",
          "The API server has disappeared from Prometheus' discovery",
          "No endpoint of the `kubernetes` Service in `default` has been discovered for 15 minutes: the API server is not scraped and its alerts are blind. Check Prometheus' log for discovery errors and its ClusterRole (list and watch EndpointSlices).",
        ),
        cluster,
      ),
      withDashboard(
        alert(
          "KubeletTargetMissing",
          "critical",
          `max by (node) (kube_node_info) unless on (node) max by (node) (up{job="${PLATFORM_JOBS.kubelet}"})`,
          "15m",
          "The kubelet of node {{ $labels.node }} has disappeared from Prometheus' discovery",
          "kube-state-metrics still lists the node, but Prometheus has not discovered its kubelet for 15 minutes: the node's container metrics and volume stats are not collected. Check Prometheus' log for discovery errors and its ClusterRole (list and watch nodes).",
        ),
        node,
      ),
      withDashboard(
        alert(
          "APIServerErrorsHigh",
          "critical",
          "cluster:apiserver_request_errors:ratio_rate5m > 0.03",
          "10m",
          "The API server answers {{ $value | humanizePercentage }} of requests with 5xx",
          "Controllers, kubectl and deployments fail. Check the API server's health and, on kind, etcd's disk; on EKS, AWS Health for the control plane.",
        ),
        cluster,
      ),
      withDashboard(
        alert(
          "APIServerLatencyHigh",
          "warning",
          'histogram_quantile(0.99, sum by (verb, le) (rate(apiserver_request_duration_seconds_bucket{verb!~"WATCH|CONNECT|LIST"}[5m]))) > 1',
          "10m",
          "The API server's 99th percentile {{ $labels.verb }} latency is {{ $value | humanizeDuration }}",
          "Single-object requests take more than a second: webhooks, etcd or request floods slow every controller down.",
        ),
        cluster,
      ),
      withDashboard(
        alert(
          "APIServerRequestsTerminated",
          "warning",
          // A request the API server rejects (429) is counted in apiserver_request_total too.
          "sum(rate(apiserver_request_terminations_total[10m])) / sum(rate(apiserver_request_total[10m]))" +
            ` > ${ratio(t.apiServerTerminatedPercent)}`,
          "5m",
          "The API server ends {{ $value | humanizePercentage }} of requests in self-defence",
          "It rejects them with 429 (API Priority and Fairness, or the in-flight limit) or times them out (504), which the 5xx error alert does not count: clients and controllers retry and fall behind. Find the flow that floods it (apiserver_flowcontrol_rejected_requests_total by flow_schema and priority_level).",
        ),
        cluster,
      ),
      withDashboard(
        alert(
          "APIServerClientCertificateExpiring",
          "warning",
          "apiserver_client_certificate_expiration_seconds_count > 0" +
            " and on (job, instance) histogram_quantile(0.01, sum by (job, instance, le) (rate(apiserver_client_certificate_expiration_seconds_bucket[5m])))" +
            ` < ${CERTIFICATE_WARNING_SECONDS}`,
          "5m",
          "A client certificate used against the API server expires within a week",
          "Clients authenticate to {{ $labels.instance }} with a certificate that expires soon; once it does they are refused. Rotate it.",
        ),
        cluster,
      ),
      withDashboard(
        alert(
          "KubeletCertificateExpiring",
          "warning",
          `label_replace(min by (node) (kubelet_certificate_manager_client_ttl_seconds) < ${CERTIFICATE_WARNING_SECONDS}, "certificate", "client", "", "")` +
            ` or label_replace(min by (node) (kubelet_certificate_manager_server_ttl_seconds) < ${CERTIFICATE_WARNING_SECONDS}, "certificate", "serving", "", "")`,
          undefined,
          "The kubelet {{ $labels.certificate }} certificate of node {{ $labels.node }} expires in {{ $value | humanizeDuration }}",
          "Rotation has not renewed it. When it expires the node drops out of the cluster (client) or cannot be scraped and exec'd into (serving).",
        ),
        node,
      ),
      withDashboard(
        alert(
          "KubeletCertificateRenewalFailing",
          "warning",
          'label_replace(max by (node) (increase(kubelet_certificate_manager_client_expiration_renew_errors[5m])) > 0, "certificate", "client", "", "")' +
            ' or label_replace(max by (node) (increase(kubelet_server_expiration_renew_errors[5m])) > 0, "certificate", "serving", "", "")',
          "15m",
          "The kubelet of node {{ $labels.node }} fails to renew its {{ $labels.certificate }} certificate",
          "{{ $value | humanize }} renewals failed in 5 minutes; check the CertificateSigningRequests and the kubelet's log.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "KubeletPLEGDurationHigh",
          "warning",
          "histogram_quantile(0.99, sum by (node, le) (rate(kubelet_pleg_relist_duration_seconds_bucket[5m]))) >= 10",
          "5m",
          "The kubelet of node {{ $labels.node }} takes {{ $value | humanizeDuration }} to relist its pods",
          "The pod lifecycle event generator is slow: the container runtime is overloaded or hung, and the node is about to turn NotReady.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "CoreDNSErrorsHigh",
          "warning",
          'sum(rate(coredns_dns_responses_total{rcode="SERVFAIL"}[5m])) / sum(rate(coredns_dns_responses_total[5m])) > 0.03',
          "10m",
          "CoreDNS answers {{ $value | humanizePercentage }} of queries with SERVFAIL",
          "Name resolution fails for pods across the cluster: CoreDNS cannot reach its upstream or the API server.",
        ),
        cluster,
      ),
      withDashboard(
        alert(
          "CoreDNSLatencyHigh",
          "warning",
          "histogram_quantile(0.99, sum by (server, zone, le) (rate(coredns_dns_request_duration_seconds_bucket[5m]))) > 4",
          "10m",
          "CoreDNS takes {{ $value | humanizeDuration }} to answer 1 % of queries in zone {{ $labels.zone }}",
          "Clients time out on name resolution (their default is 5 seconds): CoreDNS is overloaded or its upstream is slow.",
        ),
        cluster,
      ),
    ],
  };
}
