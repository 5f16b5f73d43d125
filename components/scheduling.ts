/** Scheduling rules shared by the monitoring workloads. */

/**
 * Spread replicas over zones (EBS volumes are zonal: a zone loss must not take both) and hosts. Zones are
 * a hard rule once there are two replicas; hosts are covered by the hard anti-affinity.
 */
export function zoneSpread(replicas: number, podLabels: Record<string, string>) {
  if (replicas < 2) return [];
  return [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: { matchLabels: podLabels },
    },
  ];
}
