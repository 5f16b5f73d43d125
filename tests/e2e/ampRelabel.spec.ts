/**
 * The remote-write relabeling for Amazon Managed Prometheus, run by a real Prometheus: an HA replica with
 * the stack's external labels writes to two local receivers standing in for AMP and for a plain target.
 * AMP deduplicates an HA pair on `cluster` and `__replica__`, so what reaches the AMP target must carry
 * the replica there and not as `prometheus_replica`; the plain target must get the labels unchanged.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { PROMETHEUS_REPLICA_LABEL, parseStackConfig, remoteWriteEntry } from "../../components";
import { requireTool } from "../helpers/tools";
import { Processes, freePort, ready, waitFor } from "./processes";

const AMP_URL = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd/api/v1/remote_write";
const REPLICA = "prometheus-kps-prometheus-0";

/** The operator's camelCase relabel config as Prometheus' own (what the operator renders). */
const snakeCase = (relabel: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(relabel).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );

describe("end to end: remote write relabeling for AMP deduplication", function () {
  this.timeout(60_000);
  const processes = new Processes();
  let dir: string;
  let ports: { replica: number; amp: number; plain: number };

  /** Series `up` as the receiver on `port` stored it. */
  const storedUp = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/series?match[]=up`).then((r) => r.json());
    return (res as { data: Record<string, string>[] }).data;
  };

  before(async function () {
    requireTool(this, "prometheus", "prometheus");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-monitoring-amp-"));
    ports = { replica: await freePort(), amp: await freePort(), plain: await freePort() };
    const cfg = parseStackConfig(
      "amp",
      {
        environment: "dev",
        clusterName: "prod-1",
        remoteWrite: [
          {
            name: "amp",
            url: AMP_URL,
            auth: { type: "sigv4", region: "eu-west-1", roleArn: "arn:aws:iam::1:role/w" },
          },
          { name: "plain", url: "https://metrics.example.com/api/v1/write" },
        ],
      },
      { secretKeys: [] },
    );
    const [amp, plain] = cfg.remoteWrite.map(remoteWriteEntry) as Record<string, unknown>[];
    const toReceiver = (entry: Record<string, unknown>, port: number) => ({
      url: `http://127.0.0.1:${port}/api/v1/write`,
      queue_config: { batch_send_deadline: "1s" },
      write_relabel_configs: ((entry.writeRelabelConfigs ?? []) as Record<string, unknown>[]).map(snakeCase),
    });
    fs.writeFileSync(
      path.join(dir, "replica.yaml"),
      stringify({
        global: {
          scrape_interval: "1s",
          // What the operator sets: the cluster label, and the replica label per pod.
          external_labels: { cluster: "prod-1", [PROMETHEUS_REPLICA_LABEL]: REPLICA },
        },
        scrape_configs: [{ job_name: "self", static_configs: [{ targets: [`127.0.0.1:${ports.replica}`] }] }],
        remote_write: [toReceiver(amp, ports.amp), toReceiver(plain, ports.plain)],
      }),
    );
    fs.writeFileSync(path.join(dir, "receiver.yaml"), stringify({ global: { scrape_interval: "1m" } }));
    for (const name of ["amp", "plain"] as const) {
      processes.start("prometheus", [
        `--config.file=${path.join(dir, "receiver.yaml")}`,
        `--storage.tsdb.path=${path.join(dir, name)}`,
        `--web.listen-address=127.0.0.1:${ports[name]}`,
        "--web.enable-remote-write-receiver",
      ]);
    }
    processes.start("prometheus", [
      `--config.file=${path.join(dir, "replica.yaml")}`,
      `--storage.tsdb.path=${path.join(dir, "replica")}`,
      `--web.listen-address=127.0.0.1:${ports.replica}`,
    ]);
    for (const port of Object.values(ports)) {
      await waitFor(`Prometheus on ${port} to be ready`, 20_000, () =>
        ready(`http://127.0.0.1:${port}/-/ready`),
      );
    }
  });

  after(async () => {
    await processes.stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the replica as __replica__ to AMP, and unchanged to every other target", async () => {
    const [atAmp] = await waitFor("series at the AMP receiver", 30_000, async () => {
      const series = await storedUp(ports.amp);
      return series.length ? series : undefined;
    });
    const [atPlain] = await waitFor("series at the plain receiver", 30_000, async () => {
      const series = await storedUp(ports.plain);
      return series.length ? series : undefined;
    });
    const instance = `127.0.0.1:${ports.replica}`;
    assert.deepEqual(atAmp, {
      __name__: "up",
      __replica__: REPLICA,
      cluster: "prod-1",
      instance,
      job: "self",
    });
    assert.deepEqual(atPlain, {
      __name__: "up",
      cluster: "prod-1",
      instance,
      job: "self",
      [PROMETHEUS_REPLICA_LABEL]: REPLICA,
    });
  });
});
