// kube-monitoring team stack: one team's apps, on top of the platform stack it references.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AppMonitoring, loadTeamConfig, parsePlatformContract } from "../components";

export = async () => {
  const cfg = loadTeamConfig(path.resolve(__dirname));
  const platform = new pulumi.StackReference("platform", { name: cfg.platformStack });
  const contract = parsePlatformContract(
    pulumi.getStack(),
    cfg.platformStack,
    (await platform.getOutputDetails("platformContract")).value,
  );
  for (const app of cfg.apps) {
    new AppMonitoring(`app-${app.name}`, {
      app,
      importedRules: app.importedRules,
      // Everything in the app's own namespace: Grafana's sidecar finds the dashboard there.
      dashboardNamespace: app.namespace,
      runbookBaseUrl: contract.runbookBaseUrl,
      proberUrl: contract.proberUrl,
    });
  }
  return { apps: cfg.apps.map((app) => app.name), platformContractVersion: contract.version };
};
