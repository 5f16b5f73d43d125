import { strict as assert } from "node:assert";
import { notificationLinkProblems, notificationLinks } from "../../policies/links";
import { resourceOf, violationsOf } from "../helpers/policies";

const values = (alertmanager?: string, prometheus?: string) => ({
  alertmanager: { alertmanagerSpec: alertmanager === undefined ? {} : { externalUrl: alertmanager } },
  prometheus: { prometheusSpec: prometheus === undefined ? {} : { externalUrl: prometheus } },
});

describe("policy notification-links", () => {
  it("passes URLs people can open", () => {
    assert.deepEqual(
      notificationLinkProblems(values("https://alertmanager.example.com/", "https://prometheus.example.com")),
      [],
    );
  });

  it("names each server without an externalUrl and the key that gives one", () => {
    assert.deepEqual(notificationLinkProblems(values(undefined, "https://prometheus.example.com")), [
      "Alertmanager has no externalUrl: the chart points the links in notifications at its in-cluster Service address, which nobody paged can open; set alertmanager.externalUrl (or alertmanager.ingress)",
    ]);
  });

  it("flags hosts only the cluster or one machine resolves, and leaves public ones", () => {
    const hosts = [
      "http://kps-alertmanager.monitoring.svc:9093",
      "http://kps-alertmanager.monitoring.svc.cluster.local.:9093",
      "http://kps-alertmanager:9093",
      "http://kps-alertmanager.monitoring:9093",
      "http://127.0.0.1:9093",
      "http://127.0.0.2:9093",
      "http://0.0.0.0:9093",
      "http://[::1]:9093",
      "https://am.internal.example.com",
      "https://alertmanager.monitoring.example.com",
    ];
    assert.deepEqual(
      hosts.map((h) => notificationLinkProblems(values(h, "https://p.example.com"), "monitoring").length),
      [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
    );
    assert.deepEqual(notificationLinkProblems(values("https://a.example.com", "http://127.0.0.1:9090")), [
      'Prometheus\'s externalUrl "http://127.0.0.1:9090" has a host only the cluster or one machine resolves, so the links in notifications open nothing for the person paged; set prometheus.externalUrl (or prometheus.ingress)',
    ]);
  });

  it("tells a Service address from a public name: only <service>.<release namespace>, loopback and .localhost", () => {
    const flagged = (url: string, namespace = "monitoring") =>
      notificationLinkProblems(values(url, "https://p.example.com"), namespace).length === 1;
    assert.deepEqual(
      [
        "http://kps-am.monitoring:9093",
        "http://kps-am.other:9093",
        "http://a.b.monitoring:9093",
        "http://app.localhost:9093",
        "https://localhost.example.com",
        "https://127.0.0.1.example.com",
        "http://127.10.20.30:9093",
      ].map((u) => flagged(u)),
      [true, false, false, true, false, false, true],
    );
    // Without the release's namespace, a two-label name may be a public one.
    assert.equal(flagged("http://kps-am.monitoring:9093", ""), false);
  });

  it("says an empty or null externalUrl is none", () => {
    for (const url of ["", null])
      assert.deepEqual(notificationLinkProblems(values(url as string, "https://p.example.com")), [
        "Alertmanager has no externalUrl: the chart points the links in notifications at its in-cluster Service address, which nobody paged can open; set alertmanager.externalUrl (or alertmanager.ingress)",
      ]);
  });

  it("quotes what it shows and escapes control characters; a value that is no string is no URL", () => {
    assert.deepEqual(
      notificationLinkProblems(values("http://am/\u001b[31m\n::warning::x", "https://p.example.com")),
      [
        'Alertmanager\'s externalUrl "http://am/\\u001b[31m\\n::warning::x" has a host only the cluster or one machine resolves, so the links in notifications open nothing for the person paged; set alertmanager.externalUrl (or alertmanager.ingress)',
      ],
    );
    assert.deepEqual(notificationLinkProblems(values(42 as unknown as string, "https://p.example.com")), [
      'Alertmanager\'s externalUrl "42" is not a URL; set alertmanager.externalUrl (or alertmanager.ingress)',
    ]);
  });

  it("is advisory, on the kube-prometheus-stack release only, and quiet without Alertmanager", () => {
    const release = (chart: string, v: Record<string, unknown>, namespace?: string) =>
      resourceOf("kubernetes:helm.sh/v3:Release", "kps", { chart, values: v, namespace });
    const found = violationsOf(notificationLinks, [
      release("kube-prometheus-stack", values(undefined, "https://p.example.com")),
      release("prometheus-pushgateway", {}),
      release("kube-prometheus-stack", { ...values(), alertmanager: { enabled: false } }),
      // The release's namespace tells its Services' names.
      release(
        "kube-prometheus-stack",
        values("https://a.example.com", "http://kps-prometheus.observability:9090"),
        "observability",
      ),
    ]);
    assert.deepEqual(
      found.map((v) => [v.policy, v.enforcementLevel, v.message]),
      [
        [
          "notification-links",
          "advisory",
          "Helm release kps: Alertmanager has no externalUrl: the chart points the links in notifications at its in-cluster Service address, which nobody paged can open; set alertmanager.externalUrl (or alertmanager.ingress).",
        ],
        [
          "notification-links",
          "advisory",
          'Helm release kps: Prometheus\'s externalUrl "http://kps-prometheus.observability:9090" has a host only the cluster or one machine resolves, so the links in notifications open nothing for the person paged; set prometheus.externalUrl (or prometheus.ingress).',
        ],
      ],
    );
  });
});
