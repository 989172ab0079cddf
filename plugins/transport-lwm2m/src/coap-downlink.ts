/**
 * The Downlink on the CoAP stack's client role: LwM2M operations become CoAP requests from the server's own UDP
 * socket to the address and port a client registered from (so they reach clients behind NAT), confirmable and
 * retransmitted, block-wise when large (a firmware Package goes out in Block1 blocks).
 */
import { CoapRequestError, type CoapEndpoint, type IncomingResponse, type OutgoingRequest } from '@edgewise/coap-stack';
import { type DeviceResponse, type Downlink, type DownlinkRequest, DownlinkTimeoutError, type Observation, type Peer } from './downlink';

export class CoapDownlink implements Downlink {
  constructor(private readonly endpoint: CoapEndpoint) {}

  async send(peer: Peer, request: DownlinkRequest, timeoutMs: number): Promise<DeviceResponse> {
    try {
      return deviceResponse(await this.endpoint.request(peer, outgoing(request), timeoutMs));
    } catch (error) {
      throw unanswered(error, peer, request);
    }
  }

  async observe(
    peer: Peer,
    request: DownlinkRequest,
    timeoutMs: number,
    onNotify: (notification: DeviceResponse) => void,
  ): Promise<Observation> {
    try {
      const observation = await this.endpoint.observe(peer, outgoing(request), timeoutMs, (notification) =>
        onNotify(deviceResponse(notification)),
      );
      return { response: deviceResponse(observation.response), cancel: () => observation.cancel() };
    } catch (error) {
      throw unanswered(error, peer, request);
    }
  }
}

function outgoing(request: DownlinkRequest): OutgoingRequest {
  return {
    method: request.method,
    path: request.path.split('/').filter(Boolean),
    query: request.query,
    contentFormat: request.contentFormat,
    accept: request.accept,
    payload: request.payload,
  };
}

function deviceResponse(response: IncomingResponse): DeviceResponse {
  return {
    code: response.code,
    contentFormat: response.contentFormat,
    payload: response.payload,
    locationPath: response.locationPath.length ? `/${response.locationPath.join('/')}` : undefined,
  };
}

/** A client that never answered is a timeout (RPC TIMEOUT); a Reset or a broken transfer is an error of that request. */
function unanswered(error: unknown, peer: Peer, request: DownlinkRequest): unknown {
  if (!(error instanceof CoapRequestError)) return error;
  const what = `${request.method} ${request.path} to the LwM2M client at ${peer.address}:${peer.port}`;
  if (error.reason === 'timeout') return new DownlinkTimeoutError(`${what}: ${error.message}`);
  return new Error(`${what} failed: ${error.message}`);
}
