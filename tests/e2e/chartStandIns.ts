/**
 * Stand-ins for what the chart renders and the e2e worlds cannot run: helm is not here, so each chart
 * rule group the plan expects becomes a file named as the operator names it (`<namespace>-<rule>-<uid>.yaml`)
 * holding that group with one recording rule; `general.rules` carries Watchdog, as the chart's does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Expectations } from "../../plan/verify";

export const CHART_GROUP_WITH_WATCHDOG = "general.rules";

/** Writes one file per chart rule group of `exp` into `dir`; returns their file names. */
export function writeChartRuleStandIns(exp: Expectations, dir: string, interval = "1s"): string[] {
  return exp.ruleGroups
    .filter((g) => g.from.startsWith("chart"))
    .map(({ group, filePrefix }) => {
      const name = `${filePrefix}0a1b2c.yaml`;
      const rules =
        group === CHART_GROUP_WITH_WATCHDOG
          ? [{ alert: "Watchdog", expr: "vector(1)", labels: { severity: "none" } }]
          : [{ record: "kube_monitoring_e2e:chart_group", expr: "vector(1)", labels: { group } }];
      fs.writeFileSync(path.join(dir, name), stringify({ groups: [{ name: group, interval, rules }] }));
      return name;
    });
}
