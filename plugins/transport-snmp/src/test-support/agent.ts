/**
 * SNMP agents for tests, on loopback: net-snmp's agent with scalar objects the test controls, the communities
 * `public` (read-only) and `private` (read-write), and the SNMPv3 user of peers.md (iotv3, SHA/AES, authPriv).
 */
import { createSocket, type Socket, type SocketType } from 'node:dgram';
import * as snmp from 'net-snmp';

export interface Scalar {
  name: string;
  /** The object's OID; its instance is `<oid>.0`. */
  oid: string;
  type: snmp.ObjectType;
  value: unknown;
  writable?: boolean;
}

export interface TestAgent {
  port: number;
  /** Datagrams the agent received (requests, resends, SNMPv3 discovery), answered or not. */
  readonly received: number;
  set(name: string, value: unknown): void;
  get(name: string): unknown;
  /** Answer requests only after this many milliseconds (a slow device). */
  delayMs: number;
  /** Stops the agent; closing it again waits for the same close. */
  close(): Promise<void>;
}

export const V3_USER = { name: 'iotv3', authKey: 'authpass123', privKey: 'privpass123' };

type MessageHandler = (message: Buffer, remote: unknown) => void;

/**
 * The socket module the agent is given: it binds `port` (net-snmp would take 0 for 161), counts what arrives, and
 * holds requests back by `delayMs()` (dropping those whose socket closed meanwhile, as a stopped device would).
 */
function testDgram(port: number, onReceived: () => void, delayMs: () => number, sockets: Socket[]) {
  return {
    createSocket(type: SocketType) {
      const socket = createSocket(type);
      let open = true;
      socket.once('close', () => (open = false));
      const bind = socket.bind.bind(socket) as (port: number, address?: string) => Socket;
      const on = socket.on.bind(socket) as (event: string, handler: (...args: never[]) => void) => Socket;
      Object.assign(socket, {
        bind: (_port: number, address?: string) => bind(port, address),
        on: (event: string, handler: MessageHandler) => {
          if (event !== 'message') return on(event, handler);
          return on('message', (message: Buffer, remote: unknown) => {
            onReceived();
            const delay = delayMs();
            if (delay > 0) setTimeout(() => open && handler(message, remote), delay);
            else handler(message, remote);
          });
        },
      });
      sockets.push(socket);
      return socket;
    },
  };
}

/** `port`: a fixed port (to bring an agent back where a device expects it), else a free one. */
export async function startAgent(scalars: Scalar[], port = 0): Promise<TestAgent> {
  const sockets: Socket[] = [];
  let received = 0;
  const handle = {
    port,
    get received() {
      return received;
    },
    delayMs: 0,
  } as TestAgent;
  const agent = snmp.createAgent(
    {
      address: '127.0.0.1',
      accessControlModelType: snmp.AccessControlModelType.Simple,
      dgramModule: testDgram(
        port,
        () => received++,
        () => handle.delayMs,
        sockets,
      ),
    },
    () => {},
  );
  const authorizer = agent.getAuthorizer();
  authorizer.addCommunity('public');
  authorizer.addCommunity('private');
  authorizer.addUser({
    name: V3_USER.name,
    level: snmp.SecurityLevel.authPriv,
    authProtocol: snmp.AuthProtocols.sha,
    authKey: V3_USER.authKey,
    privProtocol: snmp.PrivProtocols.aes,
    privKey: V3_USER.privKey,
  });
  const acm = authorizer.getAccessControlModel();
  acm.setCommunityAccess('public', snmp.AccessLevel.ReadOnly);
  acm.setCommunityAccess('private', snmp.AccessLevel.ReadWrite);
  acm.setUserAccess(V3_USER.name, snmp.AccessLevel.ReadWrite);
  const mib = agent.getMib();
  for (const scalar of scalars) {
    mib.registerProvider({
      name: scalar.name,
      type: snmp.MibProviderType.Scalar,
      oid: scalar.oid,
      scalarType: scalar.type,
      maxAccess: snmp.MaxAccess[scalar.writable ? 'read-write' : 'read-only'],
    });
    mib.setScalarValue(scalar.name, scalar.value);
  }
  const socket = sockets[0];
  await new Promise<void>((resolve, reject) => {
    socket.once('listening', () => resolve());
    socket.once('error', reject);
  });
  handle.port = socket.address().port;
  handle.set = (name, value) => mib.setScalarValue(name, value);
  handle.get = (name) => mib.getScalarValue(name);
  let closed: Promise<void> | undefined;
  handle.close = () => (closed ??= new Promise((resolve) => agent.close(() => resolve())));
  return handle;
}
