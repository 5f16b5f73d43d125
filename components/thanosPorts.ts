/** The ports every Thanos component (and the sidecar) serves: gRPC store API and HTTP. A leaf: the chart values read it too. */
export const THANOS_PORTS = { grpc: 10901, http: 10902 } as const;
