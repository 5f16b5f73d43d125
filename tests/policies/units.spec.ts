/**
 * Prometheus and Kubernetes units, value by value: durations, byte sizes, quantities. Pure; mutation
 * testing runs it for policies/units.ts.
 */
import { strict as assert } from "node:assert";
import {
  durationSeconds,
  isRuleDuration,
  prometheusBytes,
  quantityBytes,
  quantityCores,
} from "../../policies/units";

const KI = 1024;
const DAY = 86400;

/** Each function's answers: input → expected (undefined when it is not one). */
const TABLE: [string, (s: string) => unknown, [string, unknown][]][] = [
  [
    "durationSeconds",
    durationSeconds,
    [
      ["15d", 15 * DAY],
      ["1h30m", 5400],
      ["10m", 600],
      ["500ms", 0.5],
      ["0s", 0],
      ["2w", 14 * DAY],
      ["2y", 730 * DAY],
      ["1y1w1d1h1m1s1ms", 365 * DAY + 7 * DAY + DAY + 3600 + 60 + 1 + 0.001],
      // Every unit takes more than one digit.
      ["10y12w30d24h90m120s1500ms", 3650 * DAY + 84 * DAY + 30 * DAY + 24 * 3600 + 90 * 60 + 120 + 1.5],
      ["", undefined],
      ["0", undefined],
      ["1h1d", undefined],
      ["1.5h", undefined],
      ["5x", undefined],
      ["1h ", undefined],
      [" 1h", undefined],
      ["h", undefined],
    ],
  ],
  [
    "isRuleDuration",
    isRuleDuration,
    [
      ["0", true],
      ["0s", true],
      ["0m", true],
      ["5m", true],
      ["", false],
      ["5", false],
      ["00", false],
    ],
  ],
  [
    "prometheusBytes",
    prometheusBytes,
    [
      ["10B", 10],
      ["1.5KB", 1.5 * KI],
      ["1.25MiB", 1.25 * KI ** 2],
      ["2KiB", 2 * KI],
      ["3MB", 3 * KI ** 2],
      ["45GB", 45 * KI ** 3],
      ["45GiB", 45 * KI ** 3],
      ["2TiB", 2 * KI ** 4],
      ["1PB", KI ** 5],
      ["1EiB", KI ** 6],
      ["45G", undefined],
      ["45 GB", undefined],
      ["45gb", undefined],
      ["GB", undefined],
      ["x45GB", undefined],
      ["45GBx", undefined],
    ],
  ],
  [
    "quantityBytes",
    quantityBytes,
    [
      ["512", 512],
      ["1Ki", KI],
      ["1k", 1000],
      ["2Mi", 2 * KI ** 2],
      ["3M", 3e6],
      ["50Gi", 50 * KI ** 3],
      ["50G", 50e9],
      ["1.5Gi", 1.5 * KI ** 3],
      ["1.25G", 1.25e9],
      ["1Ti", KI ** 4],
      ["1T", 1e12],
      ["1Pi", KI ** 5],
      ["1P", 1e15],
      ["1Ei", KI ** 6],
      ["1E", 1e18],
      ["1K", undefined],
      ["1Gb", undefined],
      ["Gi", undefined],
      ["x1Gi", undefined],
      ["1Gix", undefined],
      ["", undefined],
    ],
  ],
  [
    "quantityCores",
    quantityCores,
    [
      ["2", 2],
      ["1.5", 1.5],
      ["0.25", 0.25],
      ["12.5m", 0.0125],
      ["500m", 0.5],
      ["1m", 0.001],
      ["m", undefined],
      ["2 ", undefined],
      ["x2", undefined],
      ["2c", undefined],
      ["", undefined],
    ],
  ],
];

describe("units", () => {
  for (const [name, fn, rows] of TABLE)
    it(`${name}: ${rows.map(([input]) => JSON.stringify(input)).join(", ")}`, () =>
      assert.deepEqual(
        rows.map(([input]) => [input, fn(input)]),
        rows,
      ));
});
