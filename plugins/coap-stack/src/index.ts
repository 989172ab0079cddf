/**
 * @edgewise/coap-stack — the CoAP message layer (RFC 7252, RFC 7641 observe, RFC 7959 block-wise) that Edgewise's
 * CoAP and LwM2M transports share, on a datagram channel of plugin-api's datagram-security seam. One endpoint
 * serves requests (server role: Exchange, notifications) and sends its own (client role: request, observe).
 */
export {
  CoapEndpoint,
  DEFAULT_ENDPOINT_SETTINGS,
  Exchange,
  resourceOf,
  type CoapRequest,
  type CoapResponse,
  type Delivery,
  type EndpointSettings,
  type NotificationTarget,
} from './coap-endpoint';
export { CoapRequestError, type ClientObservation, type IncomingResponse, type OutgoingRequest, type RequestFailure } from './client-role';
export {
  blockSize,
  ContentFormat,
  decodeMessage,
  decodeUint,
  encodeBlock,
  encodeMessage,
  encodeUint,
  firstOption,
  MalformedMessageError,
  Option,
  optionalUint,
  optionValues,
  szxFor,
  uintOption,
  type BlockOption,
  type CoapMessage,
  type CoapOption,
  type MessageType,
  type RequestMethod,
} from './coap-wire';
export { bindUdp, openUdpEndpoint, type UdpEndpoint } from './udp';
