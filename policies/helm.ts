/** Helm releases name an exact chart version. */
import type { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { HELM_RELEASE, Policy } from "./util";

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const helmChartPinned: Policy = {
  name: "helm-chart-pinned",
  description: "Every Helm release names an exact chart version, never a range or latest.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    if (args.type !== HELM_RELEASE) return;
    const version = args.props.version;
    if (typeof version !== "string" || !EXACT_SEMVER.test(version)) {
      report(
        `Helm release ${args.name}: chart ${String(args.props.chart)} version ${JSON.stringify(version ?? null)} ` +
          `is not an exact version; pin one like 88.5.3 so every deploy installs the same chart.`,
      );
    }
  },
};
