/**
 * @edgewise/transport-lwm2m — ThingsBoard's LwM2M transport (device-api.md §6): registration interface, profile
 * mapping, RPC and OTA, on top of a CoAP layer behind the `Downlink` interface. The UDP/CoAP binding and the
 * plugin definition are not here yet: they need a CoAP message layer that can also send requests to clients.
 */
export { ContentFormat, CodecError, decodeContent, encodeContent } from './codecs/content';
export type { DeviceResponse, Downlink, DownlinkRequest, Observation, Peer } from './downlink';
export { DownlinkTimeoutError } from './downlink';
export type { ModelLookup, ObjectModel, ResourceModel, ResourceType } from './object-model';
export { Lwm2mServer, type IncomingRequest, type ServerAnswer } from './lwm2m-server';
