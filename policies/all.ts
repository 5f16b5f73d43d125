/** Every policy of the pack, side-effect free: tests and the offline plan import this, not index.ts. */
import { alertDelivery } from "./alerting";
import { iamLeastPrivilege, prometheusMemoryGuaranteed, volumesNameStorageClass } from "./cluster";
import { grafanaAccess } from "./grafana";
import { helmChartPinned } from "./helm";
import { monitorTargetsResolve, monitorTargetsVerifiable } from "./monitors";
import { prometheusHighAvailability, prometheusRetention } from "./prometheus";
import { monitoringResourceLimits, workloadResourceLimits } from "./resources";
import { alertRuleQuality, alertRunbookUrl, ruleConventions } from "./rules";
import { alertOwnership } from "./ownership";
import { notificationLinks } from "./links";
import { regexSyntax } from "./regexSyntax";
import { noPlaintextSecrets } from "./secrets";
import { coreScrapeLimits } from "./scrapeLimits";
import { teamStackScope } from "./teams";
import { thanosBucketSecurity } from "./thanos";
import { webUiAccess } from "./webUi";
import type { Policy } from "./util";

export const POLICY_PACK_NAME = "kube-monitoring";

export const allPolicies: Policy[] = [
  workloadResourceLimits,
  monitoringResourceLimits,
  prometheusRetention,
  prometheusHighAvailability,
  coreScrapeLimits,
  thanosBucketSecurity,
  noPlaintextSecrets,
  alertRuleQuality,
  alertRunbookUrl,
  ruleConventions,
  monitorTargetsResolve,
  monitorTargetsVerifiable,
  helmChartPinned,
  alertDelivery,
  alertOwnership,
  regexSyntax,
  notificationLinks,
  volumesNameStorageClass,
  prometheusMemoryGuaranteed,
  iamLeastPrivilege,
  grafanaAccess,
  webUiAccess,
  teamStackScope,
];
