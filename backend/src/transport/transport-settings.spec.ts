import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { transportSettings } from './transport-settings';

describe('CoAP transport settings', () => {
  it('listens on COAP_HOST:COAP_PORT with the CoAP timeouts, DEVICE_ACTIVITY_REPORT_MS and COAP_MAX_PAYLOAD_BYTES', () => {
    const settings = transportSettings(
      loadConfig({ COAP_HOST: '127.0.0.1', COAP_PORT: '0', COAP_TIMEOUT_MS: '2000', COAP_MAX_PAYLOAD_BYTES: '1024' }),
      'coap',
    );
    expect(settings).toEqual({
      host: '127.0.0.1',
      ports: { coap: 0 },
      maxPayloadBytes: 1024,
      options: {
        timeoutMs: 2000,
        piggybackTimeoutMs: 500,
        activityReportMs: 3000,
        psmActivityTimerMs: 10000,
        pagingTransmissionWindowMs: 10000,
      },
    });
  });

  it('passes COAPS_PORT on only when it is set (the transport then warns that DTLS is not available yet)', () => {
    expect(transportSettings(loadConfig({}), 'coap')?.ports).toEqual({ coap: 5683 });
    expect(transportSettings(loadConfig({ COAPS_PORT: '5684' }), 'coap')?.ports).toEqual({ coap: 5683, coaps: 5684 });
  });

  it('starts no CoAP transport with COAP_ENABLED=false', () => {
    expect(transportSettings(loadConfig({ COAP_ENABLED: 'false' }), 'coap')).toBeUndefined();
  });
});
