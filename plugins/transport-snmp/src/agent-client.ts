/**
 * One device's SNMP agent as the transport talks to it: GET and SET over a net-snmp session that sends through
 * the shared socket, each exchange admitted by the request limiter, long OID lists split into several requests.
 */
import * as snmp from 'net-snmp';
import type { AgentSettings, AuthProtocol, PrivacyProtocol, SecurityLevel } from './configuration';
import type { RequestLimiter } from './request-limiter';

/** The agent did not answer usably: no answer in time, SNMPv3 authentication refused, a garbled answer, a network error. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

/** The agent answered, with an error status (noSuchName, notWritable, wrongType …). */
export class AgentError extends Error {
  override readonly name = 'AgentError';
}

const AUTH_PROTOCOLS: Record<AuthProtocol, snmp.AuthProtocols> = {
  MD5: snmp.AuthProtocols.md5,
  SHA_1: snmp.AuthProtocols.sha,
  SHA_224: snmp.AuthProtocols.sha224,
  SHA_256: snmp.AuthProtocols.sha256,
  SHA_384: snmp.AuthProtocols.sha384,
  SHA_512: snmp.AuthProtocols.sha512,
};

/** ThingsBoard's AES_256 is SNMP4J's PrivAES256, the Blumenthal key extension. */
const PRIVACY_PROTOCOLS: Record<PrivacyProtocol, snmp.PrivProtocols> = {
  DES: snmp.PrivProtocols.des,
  AES_128: snmp.PrivProtocols.aes,
  AES_256: snmp.PrivProtocols.aes256b,
};

const SECURITY_LEVELS: Record<SecurityLevel, snmp.SecurityLevel> = {
  NOAUTH_NOPRIV: snmp.SecurityLevel.noAuthNoPriv,
  AUTH_NOPRIV: snmp.SecurityLevel.authNoPriv,
  AUTH_PRIV: snmp.SecurityLevel.authPriv,
};

export interface AgentTarget {
  /** The agent's resolved IP address: answers are matched to sessions by it. */
  address: string;
  family: 4 | 6;
  port: number;
}

export interface ClientServices {
  limiter: RequestLimiter;
  maxRequestOids: number;
  dgramModule(family: 4 | 6): unknown;
}

export class AgentClient {
  private readonly session: snmp.Session;
  private pending = 0;
  private retired = false;

  constructor(
    readonly target: AgentTarget,
    agent: AgentSettings,
    private readonly timing: { timeoutMs: number; retries: number },
    private readonly services: ClientServices,
  ) {
    const common = {
      port: target.port,
      transport: target.family === 6 ? ('udp6' as const) : ('udp4' as const),
      timeout: timing.timeoutMs,
      retries: timing.retries,
      dgramModule: services.dgramModule(target.family),
    };
    if (agent.v3) {
      const { username, contextName, level, authProtocol, authPassphrase, privacyProtocol, privacyPassphrase } = agent.v3;
      const user: snmp.User = { name: username, level: SECURITY_LEVELS[level] };
      if (authProtocol) Object.assign(user, { authProtocol: AUTH_PROTOCOLS[authProtocol], authKey: authPassphrase });
      if (privacyProtocol) Object.assign(user, { privProtocol: PRIVACY_PROTOCOLS[privacyProtocol], privKey: privacyPassphrase });
      this.session = snmp.createV3Session(target.address, user, { ...common, context: contextName });
    } else {
      this.session = snmp.createSession(target.address, agent.community, {
        ...common,
        version: agent.version === 'V1' ? snmp.Version1 : snmp.Version2c,
      });
    }
    // The shared socket reports its own errors; a session has nothing to add.
    this.session.on('error', () => {});
  }

  /**
   * GET of the OIDs, `maxRequestOids` per request, one request after the other; resolves with every answered varbind.
   * `onFirstSent` runs when the first request is admitted to the network (how late a poll really started).
   */
  async get(oids: readonly string[], onFirstSent?: () => void): Promise<snmp.Varbind[]> {
    const answered: snmp.Varbind[] = [];
    for (let i = 0; i < oids.length; i += this.services.maxRequestOids) {
      const chunk = oids.slice(i, i + this.services.maxRequestOids);
      answered.push(...(await this.exchange(i === 0 ? onFirstSent : undefined, (done) => this.session.get(chunk as string[], done))));
    }
    return answered;
  }

  async set(varbinds: readonly snmp.Varbind[]): Promise<snmp.Varbind[]> {
    const answered: snmp.Varbind[] = [];
    for (let i = 0; i < varbinds.length; i += this.services.maxRequestOids) {
      const chunk = varbinds.slice(i, i + this.services.maxRequestOids);
      answered.push(...(await this.exchange(undefined, (done) => this.session.set(chunk as snmp.Varbind[], done))));
    }
    return answered;
  }

  /** Fails what is still pending (its callers see "closed"); the client is not used afterwards. */
  close(): void {
    this.session.close();
  }

  /** Closes the session once the exchanges under way have ended (for a fresh session next time, without failing them). */
  retire(): void {
    this.retired = true;
    if (this.pending === 0) this.close();
  }

  private async exchange(
    onSent: (() => void) | undefined,
    send: (done: (error: Error | null, varbinds?: snmp.Varbind[]) => void) => void,
  ): Promise<snmp.Varbind[]> {
    this.pending++;
    try {
      return await this.services.limiter.run(
        () =>
          new Promise<snmp.Varbind[]>((resolve, reject) => {
            onSent?.();
            try {
              send((error, varbinds) => (error ? reject(this.explain(error)) : resolve(varbinds ?? [])));
            } catch (error) {
              reject(this.explain(error as Error));
            }
          }),
      );
    } finally {
      if (--this.pending === 0 && this.retired) this.close();
    }
  }

  private explain(error: Error): Error {
    const where = `${this.target.address}:${this.target.port}`;
    switch (error.name) {
      case 'RequestTimedOutError':
        return new NoAnswerError(
          `no answer from ${where} within ${this.timing.timeoutMs} ms` + (this.timing.retries ? ` (${this.timing.retries} retries)` : ''),
        );
      case 'ResponseInvalidError':
        return new NoAnswerError(`unusable answer from ${where}: ${error.message}`);
      case 'RequestFailedError':
        return new AgentError(`${where} refused the request: ${error.message}`);
      default:
        // A network error (EHOSTUNREACH …) says the same as silence; anything else is ours and reported as is.
        return 'code' in error ? new NoAnswerError(`cannot reach ${where}: ${error.message}`) : error;
    }
  }
}
