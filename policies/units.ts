/**
 * Prometheus and Kubernetes units: durations, Prometheus byte sizes and Kubernetes quantities. The pack
 * must stand alone when published, so these live here; the program imports them from here too.
 */

/** A Prometheus duration: units from years to milliseconds, largest first, each at most once. */
export const PROMETHEUS_DURATION =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
/** Prometheus' `retentionSize`: a number and a base-2 byte unit (Prometheus reads GB as GiB too). */
export const PROMETHEUS_BYTE_SIZE = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)$/;
/** A Kubernetes quantity in bytes, binary (Gi) or decimal (G) suffixes. */
export const KUBERNETES_BYTE_QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const durationUnits = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001];

/** Seconds in a Prometheus duration such as `15d` or `1h30m`; undefined when it is not one. */
export function durationSeconds(duration: string): number | undefined {
  const match = PROMETHEUS_DURATION.exec(duration);
  if (!match || duration === "") return undefined;
  return match.slice(1).reduce((total, part, i) => total + (part ? Number(part) * durationUnits[i] : 0), 0);
}

const base2 = ["B", "K", "M", "G", "T", "P", "E"];

/** A duration as Prometheus rules take it, the zero forms included (`0`, `0s`, `0m` are valid `for`s). */
export function isRuleDuration(duration: string): boolean {
  return duration === "0" || durationSeconds(duration) !== undefined;
}

/** Bytes in a Prometheus byte size such as `45GiB` or `45GB` (both base 2 in Prometheus). */
export function prometheusBytes(size: string): number | undefined {
  const match = PROMETHEUS_BYTE_SIZE.exec(size);
  if (!match) return undefined;
  return Number(match[1]) * 1024 ** base2.indexOf(match[2][0]);
}

/** Bytes in a Kubernetes quantity such as `50Gi` or `50G`. */
export function quantityBytes(quantity: string): number | undefined {
  const match = KUBERNETES_BYTE_QUANTITY.exec(quantity);
  if (!match) return undefined;
  const suffix = match[2] ?? "";
  const power = suffix === "" ? 0 : "kMGTPE".indexOf(suffix[0] === "K" ? "k" : suffix[0]) + 1;
  return Number(match[1]) * (suffix.endsWith("i") ? 1024 : 1000) ** power;
}

/** The largest share of its volume a Prometheus `retentionSize` may take; the rest is compaction room. */
export const MAX_RETENTION_SIZE_SHARE = 0.9;

export const KUBERNETES_CPU_QUANTITY = /^(\d+(?:\.\d+)?)(m)?$/;

/** A Kubernetes CPU quantity in cores ("500m" → 0.5, "2" → 2), or undefined when it is not one. */
export function quantityCores(quantity: string): number | undefined {
  const m = KUBERNETES_CPU_QUANTITY.exec(String(quantity));
  if (!m) return undefined;
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}
