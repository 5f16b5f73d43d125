// The floor: a process that only loads the Pulumi SDK and the provider SDK modules the program imports.
const started = performance.now();
/* eslint-disable @typescript-eslint/no-require-imports */
require("@pulumi/pulumi");
require("@pulumi/kubernetes");
require("@pulumi/aws/s3");
require("@pulumi/aws/iam");
require("@pulumi/random");
console.log(
  JSON.stringify({
    wallMs: performance.now() - started,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  }),
);
