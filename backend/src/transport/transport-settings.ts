import type { TransportSettings } from '@edgewise/plugin-api';
import type { AppConfig } from '../config/app-config';

/**
 * Each transport's settings from the configuration (design.md "Configuration names"), or undefined when it
 * is switched off (`<NAME>_ENABLED=false`) or unknown to this core.
 */
export function transportSettings(config: AppConfig, transportId: string): TransportSettings | undefined {
  switch (transportId) {
    case 'mqtt': {
      if (!config.mqttEnabled) return undefined;
      const tls =
        config.mqttTlsCertFile && config.mqttTlsKeyFile
          ? { certFile: config.mqttTlsCertFile, keyFile: config.mqttTlsKeyFile, caFile: config.mqttTlsCaFile }
          : undefined;
      const ports: Record<string, number> = { mqtt: config.mqttPort };
      if (tls) ports.mqtts = config.mqttsPort;
      if (config.mqttWsEnabled) ports.mqttws = config.mqttWsPort;
      return {
        host: config.mqttHost,
        ports,
        maxPayloadBytes: config.mqttMaxPayloadBytes,
        tls,
        options: {},
      };
    }
    case 'http':
      if (!config.httpTransportEnabled) return undefined;
      // Served on the platform listener (HTTP_PORT): no ports of its own.
      return {
        host: config.httpHost,
        ports: {},
        maxPayloadBytes: config.httpTransportMaxPayloadBytes,
        options: { requestTimeoutMs: config.httpTransportRequestTimeoutMs, rpcMaxPayloadBytes: config.httpTransportRpcMaxPayloadBytes },
      };
    default:
      return undefined;
  }
}
