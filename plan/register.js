// ts-node for the project's own commands and specs, transpiling with swc (much faster than TypeScript's
// own transpiler; `npm run typecheck` checks the types). The Pulumi CLI keeps its own ts-node settings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("ts-node").register({ swc: true });
