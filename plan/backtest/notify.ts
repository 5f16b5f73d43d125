/**
 * How many notifications each receiver would have got for a set of firing episodes: a simplified
 * Alertmanager. Every episode reaches Alertmanager when it starts firing and is resolved when it stops.
 * Per route node it reached and per group key, an aggregation group is created by the first alert,
 * flushes after group_wait (at once when the alert has been active longer than group_wait, as
 * Alertmanager does), then every group_interval, and ends when a flush finds only resolved alerts.
 * A flush notifies as Alertmanager's dedup stage decides: new firing alerts, all resolved (when the
 * receiver sends resolved), newly resolved ones (idem), or repeat_interval since the last notification.
 * Inhibited alerts are left out of a flush; a flush in a mute (or outside an active) time interval sends
 * nothing and is not remembered. Simplified: one clock with no delays, Prometheus' resend and
 * Alertmanager's resolve_timeout are not modelled, send_resolved is per receiver (any integration), a
 * receiver without integrations counts no notification, silences do not exist, and the state at the
 * window's start is empty (no group exists yet).
 */
import { Episode } from "./episodes";
import { Routing, RouteNode, inhibits, intervalActive, routesFor } from "./routing";

export interface NotificationCount {
  readonly receiver: string;
  readonly notifications: number;
}

interface Entry {
  firing: Set<string>;
  resolved: Set<string>;
  ts: number;
}

const firingAt = (e: Episode, t: number) => e.firedAtMs <= t && t < e.resolvedAtMs;

function groupKey(node: RouteNode, labels: Readonly<Record<string, string>>): string {
  const by = node.groupBy.includes("...") ? Object.keys(labels).sort() : [...node.groupBy].sort();
  return `${node.id}|${JSON.stringify(by.map((l) => [l, labels[l] ?? ""]))}`;
}

function needsUpdate(
  entry: Entry | undefined,
  firing: Set<string>,
  resolved: Set<string>,
  sendResolved: boolean,
  repeatMs: number,
  now: number,
) {
  if (!entry) return firing.size > 0;
  if ([...firing].some((f) => !entry.firing.has(f))) return true;
  if (firing.size === 0) return entry.firing.size > 0;
  if (sendResolved && [...resolved].some((r) => !entry.resolved.has(r))) return true;
  return entry.ts < now - repeatMs;
}

/** Notifications per receiver for `episodes` in [fromMs, toMs], routed and inhibited by `routing`. */
export function countNotifications(
  routing: Routing,
  episodes: readonly Episode[],
  fromMs: number,
  toMs: number,
): NotificationCount[] {
  const inWindow = episodes
    .filter((e) => e.firedAtMs <= toMs && e.resolvedAtMs > fromMs)
    .map((e) => (e.firedAtMs < fromMs ? { ...e, firedAtMs: fromMs } : e));
  const counts = new Map<string, number>([...routing.receivers.keys()].map((r) => [r, 0]));
  const inhibited = (target: Episode, t: number) =>
    routing.inhibitRules.some((rule) =>
      inWindow.some((s) => s.fp !== target.fp && firingAt(s, t) && inhibits(rule, s.labels, target.labels)),
    );
  const groups = new Map<string, { node: RouteNode; alerts: Episode[] }>();
  const routeCache = new Map<string, RouteNode[]>();
  for (const e of inWindow) {
    if (!routeCache.has(e.fp)) routeCache.set(e.fp, routesFor(routing.root, e.labels));
    for (const node of routeCache.get(e.fp)!) {
      const key = groupKey(node, e.labels);
      if (!groups.has(key)) groups.set(key, { node, alerts: [] });
      groups.get(key)!.alerts.push(e);
    }
  }
  for (const { node, alerts } of groups.values()) {
    const receiver = routing.receivers.get(node.receiver);
    const sent = simulateGroup(
      node,
      alerts,
      toMs,
      receiver?.sendResolved ?? false,
      inhibited,
      (t) =>
        node.muteIntervals.some((m) => intervalActive(routing, m, t)) ||
        (node.activeIntervals.length > 0 && !node.activeIntervals.some((a) => intervalActive(routing, a, t))),
    );
    counts.set(node.receiver, (counts.get(node.receiver) ?? 0) + (receiver?.sends === false ? 0 : sent));
  }
  return [...counts].map(([receiver, notifications]) => ({ receiver, notifications }));
}

/** The notifications one aggregation group sends until `toMs`. */
export function simulateGroup(
  node: Pick<RouteNode, "groupWaitMs" | "groupIntervalMs" | "repeatIntervalMs">,
  alerts: readonly Episode[],
  toMs: number,
  sendResolved: boolean,
  inhibited: (e: Episode, t: number) => boolean = () => false,
  muted: (t: number) => boolean = () => false,
): number {
  const queue = [...alerts].sort((a, b) => a.firedAtMs - b.firedAtMs);
  let entry: Entry | undefined;
  let sent = 0;
  let next = 0;
  while (next < queue.length && queue[next].firedAtMs <= toMs) {
    // A new aggregation group.
    const store = new Map<string, Episode>();
    let flushed = false;
    let flush = queue[next].firedAtMs + node.groupWaitMs;
    for (;;) {
      while (next < queue.length && queue[next].firedAtMs <= flush) {
        const a = queue[next++];
        store.set(a.fp, a);
        if (!flushed && a.activeAtMs + node.groupWaitMs < a.firedAtMs) flush = Math.min(flush, a.firedAtMs);
      }
      if (flush > toMs) return sent;
      flushed = true;
      if (!muted(flush)) {
        const firing = new Set<string>();
        const resolved = new Set<string>();
        for (const a of store.values()) {
          if (inhibited(a, flush)) continue;
          (firingAt(a, flush) ? firing : resolved).add(a.fp);
        }
        if (needsUpdate(entry, firing, resolved, sendResolved, node.repeatIntervalMs, flush)) {
          if (firing.size || (sendResolved && resolved.size)) sent++;
          entry = { firing, resolved, ts: flush };
        }
      }
      for (const [fp, a] of store) if (a.resolvedAtMs <= flush) store.delete(fp);
      if (!store.size) break;
      flush += node.groupIntervalMs;
    }
  }
  return sent;
}
