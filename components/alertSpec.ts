/** One alert of the stack's own meta-monitoring, before runbook links are added (a leaf module). */
export interface AlertSpec {
  alert: string;
  expr: string;
  for: string;
  severity: "critical" | "warning";
  summary: string;
  description: string;
}
