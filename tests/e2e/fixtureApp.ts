/**
 * A tiny app for the end-to-end test: it serves prom-client metrics on /metrics and records synthetic
 * traffic every 100ms with an error share that the test controls.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Histogram, Registry } from "prom-client";

export interface FixtureApp {
  port: number;
  setErrorRate(rate: number): void;
  close(): Promise<void>;
}

export async function startFixtureApp(): Promise<FixtureApp> {
  const registry = new Registry();
  const requests = new Counter({
    name: "http_requests_total",
    help: "Requests served, by status.",
    labelNames: ["status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Request latency.",
    buckets: [0.05, 0.1, 0.5, 1, 2],
    registers: [registry],
  });
  let errorRate = 0;
  const traffic = setInterval(() => {
    for (let i = 0; i < 10; i++) {
      requests.inc({ status: i < Math.round(errorRate * 10) ? "500" : "200" });
      duration.observe(0.02);
    }
  }, 100);

  const server = http.createServer((req, res) => {
    if (req.url === "/metrics") {
      void registry.metrics().then((body) => {
        res.writeHead(200, { "Content-Type": registry.contentType });
        res.end(body);
      });
      return;
    }
    res.writeHead(req.url === "/health" ? 200 : 404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setErrorRate: (rate) => (errorRate = rate),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(traffic);
        server.close(() => resolve());
      }),
  };
}

/** A webhook receiver that keeps every Alertmanager notification it gets. */
export interface WebhookReceiver {
  port: number;
  notifications: {
    status: string;
    alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
  }[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: WebhookReceiver["notifications"] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += String(chunk)));
    req.on("end", () => {
      if (req.method === "POST") notifications.push(JSON.parse(body));
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    notifications,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
