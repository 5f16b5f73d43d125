/**
 * Alert ownership: every namespace that carries workloads has exactly one owner, the platform or one
 * team, and an alert goes to the owner of its `namespace` label only. Pure: the schema, the routing
 * builders, the team stack and the plan's routing table all read ownership from here.
 *
 * - The platform owns its monitoring namespace, the cluster's own namespaces and any it lists
 *   (`alerting.platformNamespaces`), and every namespace no team routes.
 * - A team owns the namespaces of its apps that have routing: exactly, for apps in the platform stack,
 *   and by prefix (`teams[].namespacePrefix`, default `<team>-`) for the team stacks the platform
 *   registers. The platform's Alertmanager tree swallows (`null`) what teams own, after the teams' own
 *   routes had their turn: the operator puts every namespaced AlertmanagerConfig first, with `continue`.
 */

/** The owner of everything no team claims. */
export const PLATFORM_OWNER = "platform";
/** Namespaces of the cluster itself, always the platform's. */
export { CLUSTER_NAMESPACES } from "../policies/util";
import { CLUSTER_NAMESPACES, literalRegex } from "../policies/util";

/** A team's claim, as the platform stack registers it and its contract publishes it. */
export interface TeamClaim {
  readonly name: string;
  readonly namespacePrefix: string;
}

/** What ownership needs of an app. */
export interface OwnedApp {
  readonly name: string;
  readonly namespace: string;
  readonly team?: string;
  readonly routing?: { readonly copyToPlatform?: boolean };
}

export interface Ownership {
  /** Namespaces the platform owns explicitly. */
  readonly platformNamespaces: readonly string[];
  /** Team stacks' claims, by namespace prefix. */
  readonly teams: readonly TeamClaim[];
  /** Apps of the platform stack (their routed namespaces are claimed exactly). */
  readonly apps: readonly OwnedApp[];
}

/** The owner of an app with routing: its team, else the app itself. */
export const appOwner = (app: OwnedApp) => app.team ?? `app:${app.name}`;

export function platformNamespaces(monitoringNamespace: string, extra: readonly string[]): string[] {
  return [...new Set([monitoringNamespace, ...CLUSTER_NAMESPACES, ...extra])].sort();
}

/** The owner of a namespace: the platform, a team (by claim or by a routed app), or the platform by default. */
export function ownerOf(own: Ownership, namespace: string | undefined): string {
  if (!namespace || own.platformNamespaces.includes(namespace)) return PLATFORM_OWNER;
  const app = own.apps.find((a) => a.routing && a.namespace === namespace);
  if (app) return appOwner(app);
  const claim = own.teams.find((t) => namespace.startsWith(t.namespacePrefix));
  return claim ? claim.name : PLATFORM_OWNER;
}

/** Why an app may not live where it says, or undefined. */
export function appPlacementProblem(own: Ownership, app: OwnedApp): string | undefined {
  if (app.routing && own.platformNamespaces.includes(app.namespace)) {
    return `namespace ${app.namespace} is owned by the platform: an app with routing there would take the platform's alerts; give the app its own namespace`;
  }
  const claim = own.teams.find((t) => app.namespace.startsWith(t.namespacePrefix));
  if (claim && !app.routing) {
    return `namespace ${app.namespace} is claimed by team ${claim.name} (prefix ${claim.namespacePrefix}): the platform leaves its alerts to the team's routing, so an app there without routing would reach nobody; give it routing or another namespace`;
  }
  if (app.routing && claim && claim.name !== app.team) {
    return `namespace ${app.namespace} is claimed by team ${claim.name} (prefix ${claim.namespacePrefix}), not ${app.team ? `team ${app.team}` : "this app (no team)"}`;
  }
  const other = own.apps.find(
    (a) =>
      a !== app && a.routing && app.routing && a.namespace === app.namespace && appOwner(a) !== appOwner(app),
  );
  if (other) {
    return `namespace ${app.namespace} is already owned by ${appOwner(other)} (app ${other.name}); one namespace has one owner`;
  }
  return undefined;
}

/** Problems with the registered team claims: each prefix names its team's namespaces only. */
export function claimProblems(platform: readonly string[], teams: readonly TeamClaim[]): string[] {
  const problems: string[] = [];
  teams.forEach((t, i) => {
    const owned = platform.find((ns) => ns.startsWith(t.namespacePrefix));
    if (owned)
      problems.push(
        `teams[${t.name}].namespacePrefix: ${t.namespacePrefix} would claim the platform's namespace ${owned}`,
      );
    teams.forEach((u, j) => {
      if (
        j > i &&
        (u.namespacePrefix.startsWith(t.namespacePrefix) || t.namespacePrefix.startsWith(u.namespacePrefix))
      ) {
        problems.push(
          `teams[${u.name}].namespacePrefix: ${u.namespacePrefix} overlaps team ${t.name}'s ${t.namespacePrefix}; one namespace has one owner`,
        );
      }
    });
  });
  return problems;
}

/**
 * Per namespace with routed apps, the app whose AlertmanagerConfig also takes the alerts of the
 * namespace that no other routed app there owns (kube alerts about pods, volumes, jobs…): the first by
 * name. Other routed apps in the namespace take only their own (`app="<name>"`).
 */
export function namespaceRouter(apps: readonly OwnedApp[], namespace: string): OwnedApp | undefined {
  return apps
    .filter((a) => a.routing && a.namespace === namespace)
    .sort((a, b) => a.name.localeCompare(b.name))[0];
}

/** The other routed apps of a namespace, whose alerts its router leaves to them. */
export function siblingsOf(apps: readonly OwnedApp[], app: OwnedApp): string[] {
  return apps
    .filter((a) => a.routing && a.namespace === app.namespace && a.name !== app.name)
    .map((a) => a.name)
    .sort();
}

/**
 * The regex of namespaces the platform's tree swallows after the teams' routes: the platform stack's
 * routed apps' namespaces (unless they asked for copies) and every registered team prefix. Undefined
 * when nothing is claimed.
 */
export function claimedNamespaceRegex(own: Ownership): string | undefined {
  const exact = [
    ...new Set(own.apps.filter((a) => a.routing && !a.routing.copyToPlatform).map((a) => a.namespace)),
  ]
    .sort()
    .map(literalRegex);
  const copies = new Set(own.apps.filter((a) => a.routing?.copyToPlatform).map((a) => a.namespace));
  const prefixes = own.teams.map((t) => `${literalRegex(t.namespacePrefix)}.+`);
  const parts = [...exact.filter((ns) => !copies.has(ns)), ...prefixes];
  return parts.length ? parts.join("|") : undefined;
}
