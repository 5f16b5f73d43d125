/** What a plan records (plan.json): a leaf module, so readers of plan files need not import the planner. */
import type { RoutedAlert } from "../policies/ownership";
import type { Loosening, Violation } from "../policies/harness";
import type { ToolCheck } from "./realTools";
import type { RecordedResource } from "./runtime";

export interface Plan {
  stack: string;
  project: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  violations: Violation[];
  /** Mandatory policies this stack's policy config makes advisory or disables. */
  loosened: Loosening[];
  /** promtool and amtool results on the generated rules and Alertmanager configuration. */
  checks: ToolCheck[];
  /** For every alert the stack creates (and the kube alerts of each routed namespace): who it reaches. */
  alertRouting?: RoutedAlert[];
}
