/**
 * `cluster.size`: what the chart's own targets grow with, for their scrape limits (components/scrapeLimits.ts).
 */
import { z } from "zod";
import {
  ClusterSize,
  DEFAULT_API_RESOURCES,
  DEFAULT_PODS_PER_NODE,
  coreScrapeLimits,
  defaultNodes,
  largestCoreLimit,
} from "./scrapeLimits";

export const clusterSizeSchema = z
  .strictObject({
    /** Nodes to plan for. Default: half of `prometheus.expectedActiveSeries` from the nodes, at least 3. */
    nodes: z
      .int({ error: "{input} is not a whole number of nodes" })
      .min(1, { error: "{input} is no node; give at least 1" })
      .max(15_000)
      .optional(),
    /** Pods on a node at its fullest (the kubelet's max-pods, or what the node type fits). */
    podsPerNode: z.int().min(1).max(1000).default(DEFAULT_PODS_PER_NODE),
    /** API resource kinds, built-in and CRDs (`kubectl api-resources | wc -l`). */
    apiResources: z.int().min(1).max(5000).default(DEFAULT_API_RESOURCES),
  })
  .prefault({});

/** The size with its default node count resolved. */
export function resolveClusterSize(
  size: z.infer<typeof clusterSizeSchema>,
  expectedActiveSeries: number,
): ClusterSize {
  return { ...size, nodes: size.nodes ?? defaultNodes(expectedActiveSeries, size.podsPerNode) };
}

/**
 * Why an `enforcedSampleLimit` is too low for this cluster, or undefined: the operator applies the lower
 * of it and each monitor's limit, so below a core target's limit that target's scrapes would be dropped.
 */
export function enforcedLimitProblem(enforced: number | undefined, size: ClusterSize): string | undefined {
  if (enforced === undefined || enforced === 0) return undefined;
  const biggest = largestCoreLimit(coreScrapeLimits(size));
  if (enforced >= biggest.limit) return undefined;
  return (
    `${enforced} is below the sample limit ${biggest.limit} derived for ${biggest.target} (about ` +
    `${biggest.need} series a scrape at ${size.nodes} nodes, ${size.podsPerNode} pods a node, ` +
    `${size.apiResources} API resources); set at least ${biggest.limit}, 0 to turn it off, or leave it ` +
    `out to derive it`
  );
}
