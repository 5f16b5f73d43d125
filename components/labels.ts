/** Labels on the objects the stack itself owns (not an app's), so `kubectl get -l` finds them all. */
export const STACK_LABELS = {
  "app.kubernetes.io/part-of": "kube-monitoring",
  "app.kubernetes.io/managed-by": "kube-monitoring",
} as const;
