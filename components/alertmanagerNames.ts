/** Names the platform's Alertmanager configuration and the chart's values share (a leaf module). */

/** The global AlertmanagerConfig's name; the Alertmanager's `alertmanagerConfiguration` names it. */
export const PLATFORM_ALERTMANAGER_CONFIG = "platform";
/**
 * Marks the global AlertmanagerConfig, which the Alertmanager's selector leaves out: selected as a
 * namespaced config too, its routes would be confined to the monitoring namespace a second time.
 */
export const GLOBAL_CONFIG_LABEL = "kube-monitoring.io/alertmanager-global";
/** The receiver without integrations that drops what is routed to it; no owner may name one so. */
export const NULL_RECEIVER = "null";
/**
 * kube-prometheus' InfoInhibitor: fires while an info alert has nothing more severe beside it, so that
 * info alerts are inhibited; it is never for a person.
 */
export const INFO_INHIBITOR = "InfoInhibitor";
