import type { ProvisionResponse } from '@edgewise/plugin-api';
import type { MqttBasicValue } from '../devices/device-credentials.rules';
import type { DeviceCredentialsEntity } from '../devices/device.entity';

/** The answers of device-api.md §1.11.3, byte for byte as the reference writes them. */
export const NOT_FOUND: ProvisionResponse = {
  status: 'NOT_FOUND',
  json: '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}',
};

export const FAILURE: ProvisionResponse = { status: 'FAILURE', json: '{"errorMsg":"Failed to provision device!","status":"FAILURE"}' };

/** SUCCESS with the device's credentials: the token, the certificate body, or the MQTT basic fields as an object. */
export function success(credentials: DeviceCredentialsEntity): ProvisionResponse {
  return {
    status: 'SUCCESS',
    json: JSON.stringify({
      credentialsValue: credentialsValue(credentials),
      credentialsType: credentials.credentialsType,
      status: 'SUCCESS',
    }),
  };
}

/** Undefined (the member is left out) for LwM2M credentials, as in the reference. */
function credentialsValue(credentials: DeviceCredentialsEntity): unknown {
  switch (credentials.credentialsType) {
    case 'ACCESS_TOKEN':
      return credentials.credentialsId;
    case 'X509_CERTIFICATE':
      return credentials.credentialsValue;
    case 'MQTT_BASIC': {
      // Fields the device did not supply are "" in the reference's answer (we store them as null).
      const stored = JSON.parse(credentials.credentialsValue ?? '{}') as MqttBasicValue;
      return { clientId: stored.clientId ?? '', userName: stored.userName ?? '', password: stored.password ?? '' };
    }
    case 'LWM2M_CREDENTIALS':
      return undefined;
  }
}
