/**
 * The hand-written parts of docs/configuration.md, each checked by tests/docs.spec.ts: one worked
 * example per top-level key (a stack file's `config:`, valid with environment and clusterName), the
 * defaults the program derives from other keys (each with the cases that prove it), where credentials'
 * Secrets live, and the integration each receiver kind speaks.
 */

/** Where `{ secretName, key }` must live, and what a Pulumi secret becomes (components/appRouting.ts). */
export const CREDENTIALS = [
  "A credential is never plain text in a stack file. Give it in one of two forms:",
  "",
  "- a Pulumi secret: `pulumi config set --secret --path 'apps[0].routing.receivers[0].pagerduty.routingKey' KEY`",
  "  (the stack writes it to a Secret it creates: `<app>-alertmanager-receivers` in the app's namespace,",
  "  `platform-alertmanager-receivers` or `grafana-auth` in the monitoring namespace);",
  "- `{ secretName, key }`: a Secret that already exists (made by External Secrets, say). It must be in the",
  "  namespace of the object that reads it: the app's namespace (`apps[].namespace`) for",
  "  `apps[].routing.receivers`, since the operator reads an AlertmanagerConfig's Secrets from its own",
  "  namespace; the monitoring namespace (`namespace`, `monitoring` unless set) for `alerting.receivers`,",
  "  `alerting.heartbeat.url`, `grafana.sso.clientSecret` and `grafana.database.url`.",
  "",
  "`remoteWrite[].auth.password` and `.token` take a Pulumi secret only. Receivers speak these versions:",
];

export const INTEGRATIONS: [string, string][] = [
  [
    "pagerduty",
    "PagerDuty Events API v2 only: `routingKey` is an integration key of an Events API v2 integration (the v1 `serviceKey` is not accepted)",
  ],
  ["slack", "Slack incoming webhook: `apiUrl` is the webhook URL, `channel` the channel to post to"],
  ["opsgenie", "Opsgenie Alert API: `apiKey` of an API integration; `priority` P1 to P5 or a template"],
  ["email", "SMTP: `smarthost` is host:port; `requireTLS` makes Alertmanager use STARTTLS"],
  [
    "webhook",
    "Alertmanager's webhook JSON (payload version 4) POSTed to `url`, or to `urlSecret` when the URL itself authenticates",
  ],
];

/** A default the program computes (components/schema.ts resolveDefaults, components/capacity.ts). */
export interface Derived {
  text: string;
}

export const DERIVED: Record<string, Derived> = {
  "cluster.storageClass.create": { text: "`true` when `provider` is eks, else `false`" },
  "cluster.storageClass.name": { text: '`"monitoring-gp3"` when created, else the cluster\'s default class' },
  "cluster.kubeProxyMetrics": { text: "`false` when `provider` is eks, else `true`" },
  "cluster.size.nodes": { text: "from `prometheus.expectedActiveSeries` (docs/capacity.md)" },
  "prometheus.retention": { text: '`"15d"`, or `"6d"` when `thanos.enabled`' },
  "prometheus.retentionSize": { text: "from the volume size (docs/capacity.md)" },
  "prometheus.storageSize": { text: "from series, scrape interval and retention (docs/capacity.md)" },
  "prometheus.storageClass": { text: "`cluster.storageClass.name`" },
  "prometheus.enforcedSampleLimit": { text: "the largest sample limit of the chart's own targets" },
  "alertmanager.storageClass": { text: "`cluster.storageClass.name`" },
  "grafana.persistence.storageClass": { text: "`cluster.storageClass.name`" },
  "thanos.storeGateway.storageClass": { text: "`cluster.storageClass.name`" },
  "thanos.storeGateway.limits.requestSeries": { text: "from the load and memory (docs/thanos.md)" },
  "thanos.storeGateway.limits.requestSamples": { text: "from the load and memory (docs/thanos.md)" },
  "thanos.storeGateway.limits.seriesMaxConcurrency": { text: "from the load and memory (docs/thanos.md)" },
  "thanos.storeGateway.indexCacheSize": { text: "from the bucket's hot data (docs/thanos.md)" },
  "thanos.storeGateway.chunkCacheSize": { text: "from the bucket's hot data (docs/thanos.md)" },
  "thanos.compactor.storageSize": { text: "from series and scrape interval, at least 100Gi" },
  "thanos.compactor.storageClass": { text: "`cluster.storageClass.name`" },
  "teams[].namespacePrefix": { text: "`<name>-`" },
  "apps[].selector": { text: "`{ app: <name> }`" },
  "apps[].serviceName": { text: "the app's `name` (it becomes the `job` label)" },
  "apps[].podNameRegex": { text: "`<name>-.*`" },
};

/** Keys the schema still names only to refuse them with a pointer to their successor. */
export const REMOVED: Record<string, string> = {
  "apps[].routing.platformAlerts":
    "removed: the namespace's alerts reach the app's routing; `copyToPlatform` copies them to the platform",
};

const REF = (secret: string, key: string) => `{ secretName: ${secret}, key: ${key} }`;

/** One worked example per top-level key: a stack file's `config:` that is valid with the required keys. */
export const EXAMPLES: Record<string, string> = {
  cluster: `config:
  kube-monitoring:cluster:
    provider: eks            # EBS CSI gp3 class created, control-plane monitors fitted to EKS
    networkPolicies: true
    size: { nodes: 40, podsPerNode: 30 }
`,
  environment: `config:
  kube-monitoring:environment: prod   # protects and retains the namespace, release, CRDs and bucket
`,
  clusterName: `config:
  kube-monitoring:clusterName: prod-eu-west-1   # the cluster label on every series and alert
`,
  namespace: `config:
  kube-monitoring:namespace: monitoring
`,
  prometheus: `config:
  kube-monitoring:prometheus:
    replicas: 2
    retention: 15d
    scrapeInterval: 30s
    expectedActiveSeries: 500000   # sizes the volume, memory advice and sample limits
    resources:
      requests: { cpu: "2", memory: 8Gi }
      limits: { cpu: "4", memory: 8Gi }   # memory request = limit: required in prod
`,
  alertmanager: `config:
  kube-monitoring:alertmanager:
    replicas: 3
    retention: 120h
    storageSize: 2Gi
`,
  grafana: `config:
  kube-monitoring:grafana:
    ingress:
      host: grafana.example.com
      className: alb
      tls: { acmCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c }
    sso:
      clientId: grafana
      clientSecret: ${REF("grafana-oauth", "client-secret")}
      authUrl: https://login.example.com/oauth2/authorize
      tokenUrl: https://login.example.com/oauth2/token
      apiUrl: https://login.example.com/oauth2/userinfo
      roles: { admin: [platform-admins], editor: [developers] }
    replicas: 2                    # more than one replica needs an external database
    database:
      url: ${REF("grafana-db", "url")}
`,
  operator: `config:
  kube-monitoring:operator:
    resources:
      requests: { cpu: 100m, memory: 256Mi }
      limits: { cpu: 500m, memory: 512Mi }
`,
  kubeStateMetrics: `config:
  kube-monitoring:kubeStateMetrics:
    resources:
      requests: { cpu: 100m, memory: 256Mi }
      limits: { cpu: 500m, memory: 1Gi }
`,
  nodeExporter: `config:
  kube-monitoring:nodeExporter:
    resources:
      requests: { cpu: 50m, memory: 64Mi }
      limits: { cpu: 250m, memory: 128Mi }
`,
  security: `config:
  kube-monitoring:security:
    runAsUser: 1000
    fsGroup: 2000
    webTlsSecretName: monitoring-web-tls   # kubernetes.io/tls with ca.crt, in the monitoring namespace
`,
  thanos: `config:
  kube-monitoring:thanos:
    enabled: true
    region: eu-west-1
    auth:
      mode: irsa
      oidcProviderArn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123
      oidcProviderUrl: oidc.eks.eu-west-1.amazonaws.com/id/ABC123
    retention: { raw: 30d, 5m: 180d, 1h: 2y }
`,
  remoteWrite: `config:
  kube-monitoring:remoteWrite:
    - name: amp
      url: https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234/api/v1/remote_write
      auth: { type: sigv4, region: eu-west-1, roleArn: arn:aws:iam::123456789012:role/amp-writer }
    - name: vm
      url: https://vm.example.com/api/v1/write
      auth:
        type: bearer
        token:
          secure: AAABAJexampleciphertext   # pulumi config set --secret --path 'remoteWrite[1].auth.token'
      writeRelabelConfigs:
        - { sourceLabels: [__name__], regex: "expensive_metric.*", action: drop }
`,
  federation: `config:
  kube-monitoring:federation:
    - name: edge
      url: http://prometheus.edge.example.com:9090
      match: ['{job="node-exporter"}', '{__name__=~"job:.*"}']
`,
  alerting: `config:
  kube-monitoring:alerting:
    runbookBaseUrl: https://runbooks.example.com/kube-monitoring
    platformNamespaces: [ingress-nginx, cert-manager]
    receivers:
      - name: platform-pager
        pagerduty:
          routingKey: ${REF("platform-alerting-credentials", "pagerduty-routing-key")}
      - name: platform-slack
        slack:
          apiUrl: ${REF("platform-alerting-credentials", "slack-webhook-url")}
          channel: "#platform-alerts"
    defaultReceiver: platform-slack
    routes:
      - { receiver: platform-pager, severity: critical }
    heartbeat:
      url: ${REF("platform-alerting-credentials", "heartbeat-url")}
      repeatInterval: 1m
`,
  ruleFiles: `config:
  kube-monitoring:ruleFiles:
    - rules/platform/etcd-backup.yaml   # a rule file (groups:) or a PrometheusRule manifest
`,
  apps: `config:
  kube-monitoring:alerting:
    runbookBaseUrl: https://runbooks.example.com/kube-monitoring   # needed once an app has alerts
  kube-monitoring:apps:
    - name: checkout
      namespace: shop
      team: payments
      serviceMonitor:
        endpoints: [{ port: metrics, interval: 30s }]
      target: { labels: { app: checkout }, ports: [metrics] }   # deployed by its own chart
      alerts:
        errorRate: { threshold: 0.02 }
        targetDown: {}
      slo: { objective: 99.9 }
      routing:
        receivers:
          - name: payments-pager
            pagerduty:
              routingKey: ${REF("payments-alerting", "pagerduty-routing-key")}   # in namespace shop
          - name: payments-slack
            slack:
              apiUrl: ${REF("payments-alerting", "slack-webhook-url")}
              channel: "#payments-alerts"
        defaultReceiver: payments-slack
        routes:
          - { receiver: payments-pager, severity: critical }
`,
  teams: `config:
  kube-monitoring:teams:
    - name: payments                    # owns payments-* namespaces
    - name: search
      namespacePrefix: find-            # owns find-* instead of search-*
`,
  pushgateway: `config:
  kube-monitoring:pushgateway:
    enabled: true
    persistence: true
`,
  webAccess: `config:
  kube-monitoring:prometheus:
    ingress: { host: prometheus.example.com }     # externalUrl becomes https://prometheus.example.com/
  kube-monitoring:alertmanager:
    ingress: { host: alertmanager.example.com }
  kube-monitoring:webAccess:
    tls: { acmCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c }
    oidc:
      issuer: https://login.example.com
      secretName: monitoring-web-oidc            # keys clientID and clientSecret, in the monitoring namespace
      authorizationEndpoint: https://login.example.com/oauth2/authorize
      tokenEndpoint: https://login.example.com/oauth2/token
      userInfoEndpoint: https://login.example.com/oauth2/userinfo
    loadBalancerCidrs: [10.0.96.0/20, 10.0.112.0/20]   # the ALB's subnets, admitted by the NetworkPolicies
`,
  blackboxExporter: `config:
  kube-monitoring:blackboxExporter:
    resources:
      requests: { cpu: 50m, memory: 64Mi }
      limits: { cpu: 200m, memory: 128Mi }
`,
};
