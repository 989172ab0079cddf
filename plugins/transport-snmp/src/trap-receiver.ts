/**
 * SNMP traps (device-api.md §7.1, TO_SERVER_RPC_REQUEST) arrive on the manager's own port, as in ThingsBoard
 * (`transport.snmp.bind_port`): datagrams on the shared socket that answer no request are handed to net-snmp's
 * receiver, which decodes v1 and v2c traps and informs (answering informs through the shared socket). SNMPv3
 * traps are not accepted.
 */
import type { RemoteInfo } from 'node:dgram';
import { EventEmitter } from 'node:events';
import * as snmp from 'net-snmp';
import type { SharedSocket } from './shared-socket';

/** The receiver's socket: it listens through the shared socket and answers informs through it. */
class TrapSocket extends EventEmitter {
  constructor(private readonly shared: SharedSocket) {
    super();
  }

  bind(): this {
    return this; // the shared socket is bound already
  }

  send(buffer: Buffer, offset: number, length: number, port: number, address: string, callback?: (error: Error | null) => void): void {
    this.shared.send(buffer, offset, length, port, address, callback);
  }

  close(callback?: () => void): void {
    callback?.();
  }
}

export class TrapReceiver {
  private readonly receiver: { close(callback?: () => void): void };
  private readonly socket: TrapSocket;
  /** Datagrams that were not a trap the receiver could read (garbage, SNMPv3 from unknown users …). */
  rejected = 0;

  constructor(shared: SharedSocket, onTrap: (source: string, varbinds: snmp.Varbind[]) => void) {
    this.socket = new TrapSocket(shared);
    const dgramModule = { createSocket: () => this.socket };
    this.receiver = snmp.createReceiver({ disableAuthorization: true, dgramModule }, (error: Error | null, notification?: Notification) => {
      if (error || !notification) this.rejected++;
      else onTrap(notification.rinfo.address, notification.pdu.varbinds ?? []);
    });
    shared.onUnmatched = (message, remote) => this.socket.emit('message', message, remote);
  }

  close(): void {
    this.receiver.close();
  }
}

interface Notification {
  pdu: { varbinds?: snmp.Varbind[] };
  rinfo: RemoteInfo;
}
