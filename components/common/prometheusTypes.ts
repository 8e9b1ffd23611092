import type * as pulumi from "@pulumi/pulumi";
// The subset of Prometheus' configuration file the stack writes, typed so a misspelt field is a
// compile error. Field names are Prometheus' own (snake_case).

type RelabelAction = "replace" | "keep" | "drop" | "labelmap" | "labeldrop" | "labelkeep";

export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly action?: RelabelAction;
}

interface KubernetesSdConfig {
  readonly role: "node" | "pod" | "service" | "endpointslice";
  readonly namespaces?: { readonly names: readonly string[] };
}

interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ScrapeConfig {
  readonly job_name: string;
  readonly scrape_interval?: string;
  readonly scrape_timeout?: string;
  readonly metrics_path?: string;
  readonly scheme?: "http" | "https";
  readonly params?: Readonly<Record<string, readonly string[]>>;
  readonly honor_labels?: boolean;
  readonly basic_auth?: { readonly username: string; readonly password_file: string };
  readonly authorization?: { readonly type?: string; readonly credentials_file: string };
  readonly tls_config?: {
    readonly ca_file?: string;
    readonly server_name?: string;
    readonly insecure_skip_verify?: boolean;
  };
  readonly static_configs?: readonly StaticConfig[];
  readonly kubernetes_sd_configs?: readonly KubernetesSdConfig[];
  readonly relabel_configs?: readonly RelabelConfig[];
  readonly metric_relabel_configs?: readonly RelabelConfig[];
  readonly sample_limit?: number;
  readonly label_limit?: number;
}

interface RemoteWriteConfig {
  /** A program's Output when it gives the Amazon Managed Prometheus workspace as one. */
  readonly url: pulumi.Input<string>;
  readonly sigv4?: { readonly region: string };
  readonly queue_config?: {
    readonly max_samples_per_send?: number;
    readonly max_shards?: number;
    readonly capacity?: number;
  };
}

export interface PrometheusConfig {
  readonly global: {
    readonly scrape_interval: string;
    readonly evaluation_interval: string;
    readonly external_labels: Readonly<Record<string, string>>;
  };
  readonly alerting: {
    readonly alert_relabel_configs?: readonly RelabelConfig[];
    readonly alertmanagers: readonly {
      readonly api_version: "v2";
      readonly static_configs: readonly StaticConfig[];
    }[];
  };
  readonly rule_files: readonly string[];
  readonly scrape_configs: readonly ScrapeConfig[];
  readonly remote_write?: readonly RemoteWriteConfig[];
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: string } & Readonly<Record<string, string>>;
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
    /** The Grafana dashboard that shows the alert's object, its variables filled in. */
    readonly dashboard_url?: string;
  };
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (AlertRule | RecordingRule)[];
}

export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}
