/**
 * PromQL syntax checks with Prometheus' own lezer grammar (the one its web UI uses).
 */
import { parser } from "@prometheus-io/lezer-promql";

export interface PromqlError {
  /** Offset of the first character the grammar could not place. */
  at: number;
  /** The expression around it. */
  near: string;
}

/** Where an expression stops being PromQL, or undefined when it parses. */
export function promqlSyntaxError(expr: string): PromqlError | undefined {
  if (!expr.trim()) return { at: 0, near: "" };
  const tree = parser.parse(expr);
  let error: PromqlError | undefined;
  tree.iterate({
    enter: (node) => {
      if (error) return false;
      if (node.type.isError) {
        error = { at: node.from, near: expr.slice(Math.max(0, node.from - 15), node.from + 15) };
        return false;
      }
      return undefined;
    },
  });
  return error;
}
