// The import floor: a plain Node process (no project loader) that only loads the Pulumi SDK and the
// provider SDK modules the program imports, as any program using them pays. Run with
// `-r ./plan/register.js` it is the lean floor: the project's loader defers the TypeScript compiler the
// SDK loads as it starts.
/* eslint-disable @typescript-eslint/no-require-imports */
"use strict";
const started = performance.now();
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
