/** The backtest's models without a server: rule state (for, keep_firing_for), routing, notifications. */
import { strict as assert } from "node:assert";
import { Episode, episodesOf, fingerprint, summarize } from "../plan/backtest/episodes";
import { planFromJson } from "../plan/backtest/input";
import { countNotifications, simulateGroup } from "../plan/backtest/notify";
import {
  ConfigError,
  inhibits,
  intervalActive,
  parseMatchers,
  routesFor,
  routingOf,
} from "../plan/backtest/routing";
import { NULL_RECEIVER, PAGER_RECEIVER, TEAM_RECEIVER, fixturePlan } from "./helpers/backtestPlans";

const M = 60_000;
const grid = { startMs: 0, stepMs: M, endMs: 20 * M };
const at = (...minutes: number[]) => new Set(minutes.map((m) => m * M));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const times = (e: Episode[]) => e.map((x) => [x.activeAtMs / M, x.firedAtMs / M, x.resolvedAtMs / M]);
const labels = { alertname: "A" };

describe("backtest: for and keep_firing_for", () => {
  it("fires once the expression has held for `for`, resolves at the first evaluation without it", () => {
    assert.deepEqual(times(episodesOf(labels, at(...range(2, 8)), grid, 3 * M, 0)), [[2, 5, 9]]);
    assert.deepEqual(times(episodesOf(labels, at(...range(2, 8)), grid, 0, 0)), [[2, 2, 9]]);
  });

  it("never fires when the expression stops before `for`", () => {
    assert.deepEqual(episodesOf(labels, at(2, 3, 4), grid, 3 * M, 0), []);
  });

  it("a gap splits an episode; keep_firing_for bridges it and delays the resolution", () => {
    const present = at(2, 3, 4, 6, 7, 8);
    assert.deepEqual(times(episodesOf(labels, present, grid, 0, 0)), [
      [2, 2, 5],
      [6, 6, 9],
    ]);
    // Missing at 5 (kept since 5), back at 6; missing from 9: kept at 9 and 10, resolved at 11.
    assert.deepEqual(times(episodesOf(labels, present, grid, 0, 2 * M)), [[2, 2, 11]]);
  });

  it("keeps a pending alert from keep_firing_for: only firing alerts are kept", () => {
    assert.deepEqual(times(episodesOf(labels, at(2, 3, 6, 7, 8, 9), grid, 2 * M, 5 * M)), [[6, 8, 15]]);
  });

  it("an alert still firing at the end has no resolution; the summary clips to the window", () => {
    const e = episodesOf(labels, at(...range(15, 20)), grid, M, 0);
    assert.deepEqual(times(e), [[15, 16, Infinity]]);
    assert.deepEqual(summarize(e, 0, 20 * M), { episodes: 1, firingSeconds: 240 });
    assert.deepEqual(summarize(e, 17 * M, 20 * M), { episodes: 1, firingSeconds: 180 });
    assert.deepEqual(summarize(e, 0, 10 * M), { episodes: 0, firingSeconds: 0 });
  });
});

const config = planFromJson(fixturePlan("t", []), "t.json", "t").alertmanager;

describe("backtest: routing", () => {
  const routing = routingOf(config);
  const receivers = (l: Record<string, string>) => routesFor(routing.root, l).map((n) => n.receiver);

  it("reads Alertmanager matchers: quoted, unquoted, regex, negative, lists", () => {
    assert.deepEqual(parseMatchers('severity="critical"'), [
      { name: "severity", op: "=", value: "critical" },
    ]);
    assert.deepEqual(
      parseMatchers("{a=~\"x|y\", b!='', c!~`z`}".replace("''", '""').replace("`z`", '"z.*"')),
      [
        { name: "a", op: "=~", value: "x|y" },
        { name: "b", op: "!=", value: "" },
        { name: "c", op: "!~", value: "z.*" },
      ],
    );
    assert.deepEqual(parseMatchers("team = backend"), [{ name: "team", op: "=", value: "backend" }]);
    assert.deepEqual(parseMatchers('msg="say \\"hi\\""'), [{ name: "msg", op: "=", value: 'say "hi"' }]);
    assert.throws(() => parseMatchers("severity"), ConfigError);
    assert.throws(() => parseMatchers('a=~"("'), /does not compile/);
  });

  it("routes the app's alerts through its routes first (continue), then the platform's", () => {
    assert.deepEqual(receivers({ namespace: "shop", severity: "critical" }), [PAGER_RECEIVER, NULL_RECEIVER]);
    assert.deepEqual(receivers({ namespace: "shop", severity: "warning" }), [TEAM_RECEIVER, NULL_RECEIVER]);
    assert.deepEqual(receivers({ namespace: "other", severity: "critical" }), [
      "monitoring/platform/default",
    ]);
  });

  it("stops at the first matching child without continue, falls back to the parent when none matches", () => {
    const r = routingOf({
      route: {
        receiver: "root",
        routes: [
          { receiver: "a", matchers: ['team=~"a|b"'], continue: true },
          { receiver: "b", matchers: ['team!="c"', 'env!~"dev.*"'] },
          { receiver: "last", matchers: ['team="a"'] },
        ],
      },
      receivers: [{ name: "root" }, { name: "a" }, { name: "b" }, { name: "last" }],
    });
    const via = (l: Record<string, string>) => routesFor(r.root, l).map((n) => n.receiver);
    assert.deepEqual(via({ team: "a" }), ["a", "b"], "b stops the walk: last is never reached");
    assert.deepEqual(via({ team: "a", env: "dev1" }), ["a", "last"]);
    assert.deepEqual(via({ team: "c" }), ["root"]);
  });

  it("inherits group_by and timers, with Alertmanager's defaults at the root", () => {
    const r = routingOf({
      route: { receiver: "x", group_by: ["a"], routes: [{ repeat_interval: "1h" }] },
      receivers: [],
    });
    const [node] = routesFor(r.root, {});
    assert.deepEqual(
      [node.receiver, node.groupBy, node.groupWaitMs, node.groupIntervalMs, node.repeatIntervalMs],
      ["x", ["a"], 30_000, 300_000, 3_600_000],
    );
  });

  it("names the key of a configuration it cannot read", () => {
    assert.throws(() => routingOf({ route: { receiver: "x", routes: [{ group_wait: "soon" }] } }), {
      message: ".route.routes[0].group_wait: expected an Alertmanager duration",
    });
    assert.throws(() => routingOf({ route: { receiver: "x", routes: [{ matchers: ["nope"] }] } }), {
      message: 'route.routes[0].matchers: "nope" is not an Alertmanager matcher',
    });
  });

  it("inhibits on equal labels, not itself-like alerts on both sides", () => {
    const [rule] = routing.inhibitRules;
    const crit = { severity: "critical", namespace: "shop" };
    assert.equal(inhibits(rule, crit, { severity: "warning", namespace: "shop" }), true);
    assert.equal(inhibits(rule, crit, { severity: "warning", namespace: "other" }), false);
    assert.equal(inhibits(rule, crit, { severity: "info", namespace: "shop" }), false);
    const both = { source: parseMatchers('a=~".+"'), target: parseMatchers('a=~".+"'), equal: [] };
    assert.equal(inhibits(both, { a: "1" }, { a: "2" }), false);
  });

  it("knows when a weekly time interval holds (UTC)", () => {
    const r = routingOf({
      route: { receiver: "x" },
      mute_time_intervals: [
        {
          name: "sunday-night",
          time_intervals: [{ weekdays: ["sunday"], times: [{ start_time: "02:00", end_time: "04:00" }] }],
        },
        { name: "weekdays", time_intervals: [{ weekdays: ["monday:friday"], months: ["january"] }] },
      ],
    });
    assert.equal(intervalActive(r, "sunday-night", Date.UTC(2025, 0, 5, 3, 59)), true); // a Sunday
    assert.equal(intervalActive(r, "sunday-night", Date.UTC(2025, 0, 5, 4, 0)), false);
    assert.equal(intervalActive(r, "weekdays", Date.UTC(2025, 0, 6, 12)), true); // a Monday
    assert.equal(intervalActive(r, "weekdays", Date.UTC(2025, 1, 3, 12)), false); // February
  });
});

const episode = (name: string, active: number, fired: number, resolved: number, extra = {}): Episode => {
  const l = { alertname: name, ...extra };
  return {
    fp: fingerprint(l),
    labels: l,
    activeAtMs: active * M,
    firedAtMs: fired * M,
    resolvedAtMs: resolved * M,
  };
};
const timers = { groupWaitMs: 30_000, groupIntervalMs: 5 * M, repeatIntervalMs: 4 * 60 * M };

describe("backtest: notifications", () => {
  it("one episode: the firing notification after group_wait, the resolved one at the next interval", () => {
    assert.equal(simulateGroup(timers, [episode("A", 0, 0, 10)], 60 * M, true), 2);
    assert.equal(simulateGroup(timers, [episode("A", 0, 0, 10)], 60 * M, false), 1);
    // Resolved after the window: only the firing one.
    assert.equal(simulateGroup(timers, [episode("A", 0, 0, 100)], 60 * M, true), 1);
  });

  it("repeats every repeat_interval while firing", () => {
    // At 0:30, then the first interval tick more than 1h later: 1:05:30, 2:10:30.
    assert.equal(
      simulateGroup({ ...timers, repeatIntervalMs: 60 * M }, [episode("A", 0, 0, Infinity)], 180 * M, true),
      3,
    );
  });

  it("a second alert in the group is notified at the next group_interval; both resolving at once is one notification", () => {
    const alerts = [episode("A", 0, 0, 20), episode("B", 2, 2, 20, { x: "1" })];
    // 0:30 A; 5:30 A+B (B new); 10:30, 15:30 nothing new; 20:30 both resolved.
    assert.equal(simulateGroup(timers, alerts, 60 * M, true), 3);
  });

  it("flushes at once when an alert has been active for longer than group_wait", () => {
    // Fired at 10 after 10m pending: notified at 10 and resolved at the next tick, 15, inside the window.
    // Had it waited group_wait (10:30), the resolution would fall at 15:30, after the window.
    assert.equal(simulateGroup(timers, [episode("A", 0, 10, 12)], 15 * M, true), 2);
    assert.equal(simulateGroup(timers, [episode("A", 10, 10, 12)], 15 * M, true), 1);
  });

  it("a flush in a mute interval sends nothing and is not remembered", () => {
    const muted = (t: number) => t < 3 * M;
    // 0:30 muted; 5:30 sends the firing; 10:30 the resolved.
    assert.equal(
      simulateGroup(timers, [episode("A", 0, 0, 8)], 60 * M, true, () => false, muted),
      2,
    );
  });

  it("counts per receiver through the plan's routing: inhibited alerts and the null receiver send nothing", () => {
    const routing = routingOf(config);
    const ns = { namespace: "shop" };
    const crit = episode("Crit", 0, 0, 30, { ...ns, severity: "critical" });
    const warn = episode("Warn", 5, 5, 20, { ...ns, severity: "warning" });
    const later = episode("Warn", 40, 40, 50, { ...ns, severity: "warning" });
    const count = (es: Episode[]) =>
      Object.fromEntries(
        countNotifications(routing, es, 0, 120 * M).map((c) => [c.receiver, c.notifications]),
      );
    assert.deepEqual(count([crit, warn, later]), {
      "monitoring/platform/default": 0,
      "monitoring/platform/null": 0,
      [TEAM_RECEIVER]: 2,
      [PAGER_RECEIVER]: 2,
    });
    assert.deepEqual(count([warn])[TEAM_RECEIVER], 2);
  });
});
