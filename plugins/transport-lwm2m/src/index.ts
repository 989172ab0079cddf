/**
 * @edgewise/transport-lwm2m — ThingsBoard's LwM2M transport (device-api.md §6) as an Edgewise transport plugin:
 * registration interface, profile mapping, RPC and OTA, on the shared CoAP stack (`@edgewise/coap-stack`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, type ResourceDescription, type TransportDescriptor } from '@edgewise/plugin-api';
import { parseDdf } from './ddf';
import { LWM2M_LISTENER, Lwm2mTransport } from './lwm2m-transport';
import { LWM2M_OPTIONS_SCHEMA } from './options';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

export const lwm2mTransport: TransportDescriptor = {
  id: 'lwm2m',
  defaultPorts: { [LWM2M_LISTENER]: 5685 },
  configSchema: LWM2M_OPTIONS_SCHEMA,
  create: (context, settings) => new Lwm2mTransport(context, settings),
  resourceTypes: { LWM2M_MODEL: describeModelFile },
};

/** ThingsBoard's listing of an uploaded object model: key `{id}_{version}`, title `{name} id={id} v{version}`. */
function describeModelFile(file: Uint8Array, fileName: string): ResourceDescription {
  const [model] = parseDdf(Buffer.from(file).toString('utf8'), fileName);
  const key = `${model.id}_${model.version}`;
  return { key, title: `${model.name} id=${model.id} v${model.version}`, searchText: `${key}:${model.name}` };
}

export const plugin = definePlugin({ name: '@edgewise/transport-lwm2m', version, transports: [lwm2mTransport] });

export default plugin;
export { ContentFormat, CodecError, decodeContent, encodeContent } from './codecs/content';
export { BUILT_IN_MODELS_DIRECTORY, loadModelDirectory, ModelFileError, ModelRegistry, parseDdf } from './ddf';
export type { DeviceResponse, Downlink, DownlinkRequest, Observation, Peer } from './downlink';
export { DownlinkTimeoutError } from './downlink';
export type { ModelLookup, ObjectModel, ResourceModel, ResourceType } from './object-model';
export { Lwm2mServer, type IncomingRequest, type ServerAnswer } from './lwm2m-server';
export { Lwm2mTransport } from './lwm2m-transport';
export { DEFAULT_LWM2M_OPTIONS, type Lwm2mOptions } from './options';
