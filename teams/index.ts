// kube-monitoring team stack: one team's apps, on top of the platform stack it references.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  AppMonitoring,
  ConfigError,
  inBatches,
  loadTeamConfig,
  namespaceRouter,
  parsePlatformContract,
  siblingsOf,
  teamPlacementProblems,
} from "../components";

export = async () => {
  const stack = pulumi.getStack();
  // The platform's contract first: it gives the environment when the team stack names none.
  const { cfg, contract, locate } = await loadTeamConfig(path.resolve(__dirname), async (reference) => {
    const platform = new pulumi.StackReference("platform", { name: reference });
    return parsePlatformContract(
      stack,
      reference,
      (await platform.getOutputDetails("platformContract")).value,
    );
  });
  // Ownership: only the team's claimed namespaces, every app routed; refused before anything registers.
  const problems = teamPlacementProblems(stack, cfg.team, contract, cfg.apps, {
    platformStack: cfg.platformStack,
    locate,
  });
  if (problems.length) throw new ConfigError(problems);
  // A batch at a time: each batch registers before the next is built (components/inBatches.ts).
  await inBatches(cfg.apps, (app) => {
    new AppMonitoring(`app-${app.name}`, {
      app,
      importedRules: app.importedRules,
      // Everything in the app's own namespace: Grafana's sidecar finds the dashboard there.
      dashboardNamespace: app.namespace,
      runbookBaseUrl: contract.runbookBaseUrl,
      proberUrl: contract.proberUrl,
      routingScope: {
        router: namespaceRouter(cfg.apps, app.namespace) === app,
        siblings: siblingsOf(cfg.apps, app),
      },
    });
  });
  return {
    team: cfg.team,
    apps: cfg.apps.map((app) => app.name),
    platformContractVersion: contract.version,
  };
};
