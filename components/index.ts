export * from "./capacity";
export * from "./config";
export * from "./versions";
export * from "./OperatorCrds";
export * from "./KubePrometheusStack";
export * from "./ThanosObjectStore";
export * from "./Thanos";
