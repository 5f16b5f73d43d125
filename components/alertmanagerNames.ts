/** Names the platform's Alertmanager configuration and the chart's values share (a leaf module). */

/** The global AlertmanagerConfig's name; the Alertmanager's `alertmanagerConfiguration` names it. */
export const PLATFORM_ALERTMANAGER_CONFIG = "platform";
/**
 * Marks the global AlertmanagerConfig, which the Alertmanager's selector leaves out: selected as a
 * namespaced config too, its routes would be confined to the monitoring namespace a second time.
 */
export const GLOBAL_CONFIG_LABEL = "kube-monitoring.io/alertmanager-global";
