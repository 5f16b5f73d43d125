import type { SecurityConfig } from "./schema";

/**
 * The container half of the Kubernetes "restricted" Pod Security Standard: no privilege escalation, no
 * capabilities, a read-only root filesystem. Every container the stack defines itself uses it.
 */
export function restrictedContainerSecurityContext() {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  };
}

/** The pod half: never root, the runtime's default seccomp profile, and the stack's IDs when it sets them. */
export function restrictedPodSecurityContext(ids?: SecurityConfig) {
  return {
    runAsNonRoot: true,
    ...(ids ? { runAsUser: ids.runAsUser, runAsGroup: ids.runAsGroup, fsGroup: ids.fsGroup } : {}),
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * Resource options for what holds state nobody can recreate (metric history, the CRDs, the namespace
 * the volumes live in): protected against deletion and, when deleted from the stack, left in place.
 */
export function keepOptions(protect: boolean | undefined): { protect?: boolean; retainOnDelete?: boolean } {
  return protect ? { protect: true, retainOnDelete: true } : {};
}
