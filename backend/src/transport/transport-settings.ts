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
    case 'snmp':
      if (!config.snmpEnabled) return undefined;
      return {
        host: config.snmpHost,
        ports: { snmp: config.snmpPort },
        maxPayloadBytes: 65_507, // the largest UDP datagram; SNMP messages are far smaller
        options: {
          maxConcurrentRequests: config.snmpMaxConcurrentRequests,
          timeoutMs: config.snmpTimeoutMs,
          retries: config.snmpRetries,
          maxRequestOids: config.snmpMaxRequestOids,
          ignoreTypeCastErrors: config.snmpIgnoreTypeCastErrors,
          statsIntervalMs: config.snmpStatsIntervalMs,
        },
      };
    case 'lwm2m':
      if (!config.lwm2mEnabled) return undefined;
      return {
        host: config.lwm2mHost,
        ports: { lwm2m: config.lwm2mPort },
        maxPayloadBytes: 65_507, // the largest UDP datagram; larger bodies arrive block-wise
        options: { requestTimeoutMs: config.lwm2mTimeoutMs },
      };
    case 'coap': {
      if (!config.coapEnabled) return undefined;
      const ports: Record<string, number> = { coap: config.coapPort };
      // The DTLS listener of the datagram-security seam: the transport warns that it is not available yet.
      if (config.coapsPort !== undefined) ports.coaps = config.coapsPort;
      return {
        host: config.coapHost,
        ports,
        maxPayloadBytes: config.coapMaxPayloadBytes,
        options: {
          timeoutMs: config.coapTimeoutMs,
          piggybackTimeoutMs: config.coapPiggybackTimeoutMs,
          activityReportMs: config.deviceActivityReportMs,
          psmActivityTimerMs: config.coapPsmActivityTimerMs,
          pagingTransmissionWindowMs: config.coapPagingTransmissionWindowMs,
        },
      };
    }
    default:
      return undefined;
  }
}
