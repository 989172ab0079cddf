// SNMP polling benchmark: N simulated SNMP agents (net-snmp's agent, one UDP port each on loopback) are the devices
// of one SNMP profile that polls 4 OIDs every INTERVAL_MS; the product polls them all through its SNMP transport.
// Measured over the window, from both sides:
//   - the agents: requests received per second, and the gaps between two polls of the same agent (a poll that
//     falls behind shows as a gap longer than the interval; a missed poll as one of about twice the interval);
//   - the product: its own statistics line (polls, skipped and late polls, silent devices), its CPU % and memory.
// Prints ONE JSON line; progress on stderr.
//
//   npm run build && node bench/snmp/measure.mjs               # 1000 agents, 5 s interval, 60 s window
//   AGENTS=200 INTERVAL_MS=1000 SECONDS=30 node bench/snmp/measure.mjs
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { restClient } from '../../e2e/support/product.mjs';
import { envNumber, percentile, runBenchmark } from '../ingest/measure.mjs';

// net-snmp is the SNMP transport's dependency; the benchmark borrows it from there.
const snmp = createRequire(new URL('../../plugins/transport-snmp/package.json', import.meta.url))('net-snmp');

const AGENTS = envNumber('AGENTS', 1000);
const INTERVAL_MS = envNumber('INTERVAL_MS', 5000);
const SECONDS = envNumber('SECONDS', 60);
/** A gap between two polls of one agent longer than this share of the interval counts as late. */
const LATE_FACTOR = 1.1;

const OIDS = { uptime: '1.3.6.1.2.1.1.3', name: '1.3.6.1.2.1.1.5', inOctets: '1.3.6.1.2.1.2.2.1.10', temperature: '1.3.6.1.4.1.99999.2' };

/** One agent on a free loopback port; `seen` gets the time of every request datagram it receives. */
async function startAgent(index, seen) {
  let socket;
  const dgramModule = {
    createSocket(type) {
      socket = createSocket(type);
      const bind = socket.bind.bind(socket);
      socket.bind = (_port, address) => bind(0, address); // net-snmp's agent would take 0 for 161
      const on = socket.on.bind(socket);
      socket.on = (event, handler) =>
        on(event, event === 'message' ? (message, remote) => (seen(performance.now()), handler(message, remote)) : handler);
      return socket;
    },
  };
  const agent = snmp.createAgent(
    { address: '127.0.0.1', accessControlModelType: snmp.AccessControlModelType.Simple, dgramModule },
    () => {},
  );
  agent.getAuthorizer().addCommunity('public');
  agent.getAuthorizer().getAccessControlModel().setCommunityAccess('public', snmp.AccessLevel.ReadOnly);
  const mib = agent.getMib();
  const scalars = [
    ['uptime', OIDS.uptime, snmp.ObjectType.TimeTicks, 100 * index],
    ['name', OIDS.name, snmp.ObjectType.OctetString, `bench-agent-${index}`],
    ['inOctets', OIDS.inOctets, snmp.ObjectType.Counter, 1000 + index],
    ['temperature', OIDS.temperature, snmp.ObjectType.Integer, 20 + (index % 10)],
  ];
  for (const [name, oid, scalarType, value] of scalars) {
    mib.registerProvider({ name, type: snmp.MibProviderType.Scalar, oid, scalarType, maxAccess: snmp.MaxAccess['read-only'] });
    mib.setScalarValue(name, value);
  }
  await new Promise((resolve, reject) => socket.once('listening', resolve).once('error', reject));
  return { port: socket.address().port, close: () => new Promise((resolve) => agent.close(resolve)) };
}

/** The product's SNMP statistics lines (SNMP_STATS_INTERVAL_MS), as they appear on its stdout. */
function watchStats(product) {
  const lines = [];
  let buffered = '';
  product.child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.includes('SNMP polling:')) continue;
      try {
        lines.push({ at: performance.now(), ...JSON.parse(line) });
      } catch {
        // not a JSON log line
      }
    }
  });
  return lines;
}

await runBenchmark(
  'snmp',
  async ({ product, log }) => {
    const stats = watchStats(product);
    const rest = await restClient(product.url);
    const requests = []; // per agent: request times
    const agents = [];
    for (let i = 0; i < AGENTS; i++) {
      requests.push([]);
      agents.push(await startAgent(i, (t) => requests[i].push(t)));
    }
    log(`${AGENTS} agents listening on loopback`);

    const profile = await rest.request('POST', '/api/deviceProfile', {
      name: 'bench snmp',
      type: 'DEFAULT',
      transportType: 'SNMP',
      profileData: {
        configuration: { type: 'DEFAULT' },
        transportConfiguration: {
          type: 'SNMP',
          timeoutMs: 1000,
          retries: 0,
          communicationConfigs: [
            {
              spec: 'TELEMETRY_QUERYING',
              queryingFrequencyMs: INTERVAL_MS,
              mappings: [
                { oid: `${OIDS.uptime}.0`, key: 'uptime', dataType: 'LONG' },
                { oid: `${OIDS.inOctets}.0`, key: 'inOctets', dataType: 'LONG' },
                { oid: `${OIDS.temperature}.0`, key: 'temperature', dataType: 'LONG' },
                { oid: `${OIDS.name}.0`, key: 'name', dataType: 'STRING' },
              ],
            },
          ],
        },
      },
    });
    if (profile.status !== 200) throw new Error(`creating the profile failed: ${profile.status} ${profile.text}`);
    let created = 0;
    const createLane = async (lane, lanes) => {
      for (let i = lane; i < AGENTS; i += lanes) {
        const res = await rest.request('POST', '/api/device', {
          name: `bench-snmp-${i}`,
          deviceProfileId: profile.body.id,
          deviceData: {
            configuration: { type: 'DEFAULT' },
            transportConfiguration: { type: 'SNMP', host: '127.0.0.1', port: agents[i].port, protocolVersion: 'V2C', community: 'public' },
          },
        });
        if (res.status !== 200) throw new Error(`creating device ${i} failed: ${res.status} ${res.text}`);
        if (++created % 200 === 0) log(`${created}/${AGENTS} devices created`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, lane) => createLane(lane, 8)));

    // Warm-up: every agent polled at least twice (its schedule runs), then one more interval.
    const warmupUntil = performance.now() + 10 * INTERVAL_MS + 60_000;
    while (requests.some((r) => r.length < 2) && performance.now() < warmupUntil) await new Promise((r) => setTimeout(r, 500));
    const unpolled = requests.filter((r) => r.length < 2).length;
    log(`warm-up done (${AGENTS - unpolled}/${AGENTS} agents polled); measuring ${SECONDS} s`);

    const started = performance.now();
    const cpuBefore = product.cpuSeconds();
    let peakRssMb = 0;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, product.rssMb())), 250);
    for (let s = 1; s <= SECONDS; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      if (s % 10 === 0) log(`${s}/${SECONDS} s`);
    }
    const ended = performance.now();
    const serverCpuSeconds = product.cpuSeconds() - cpuBefore;
    clearInterval(sampler);
    const elapsed = (ended - started) / 1000;

    // Agent side: requests in the window, and the gaps between consecutive polls of each agent.
    let received = 0;
    const gaps = [];
    for (const times of requests) {
      const inWindow = times.filter((t) => t >= started && t < ended);
      received += inWindow.length;
      const around = times.filter((t) => t >= started - INTERVAL_MS * 3 && t < ended);
      for (let i = 1; i < around.length; i++) if (around[i] >= started) gaps.push(around[i] - around[i - 1]);
    }
    gaps.sort((a, b) => a - b);
    const lateGaps = gaps.filter((g) => g > INTERVAL_MS * LATE_FACTOR).length;
    const missedPolls = gaps.filter((g) => g > INTERVAL_MS * 1.9).length;

    // Product side: the statistics lines logged inside the window.
    const windowStats = stats.filter((line) => line.at > started && line.at <= ended + 1000);
    const sum = (field) => windowStats.reduce((total, line) => total + (line.window?.[field] ?? 0), 0);
    const last = windowStats.at(-1) ?? {};

    await Promise.all(agents.map((agent) => agent.close()));
    const round = (v) => Math.round(v * 10) / 10;
    const result = {
      bench: 'snmp-polling',
      db: product.databaseUrl ? 'postgres' : 'sqlite',
      agents: AGENTS,
      intervalMs: INTERVAL_MS,
      seconds: round(elapsed),
      expectedPollsPerSec: round(AGENTS / (INTERVAL_MS / 1000)),
      pollsPerSec: round(received / elapsed),
      gapP50Ms: Math.round(percentile(gaps, 50)),
      gapP99Ms: Math.round(percentile(gaps, 99)),
      gapMaxMs: Math.round(gaps.at(-1) ?? 0),
      lateGaps,
      missedPolls,
      productPolls: sum('polls'),
      productFailedPolls: sum('failedPolls'),
      productSkippedPolls: sum('skippedPolls'),
      productLatePolls: sum('latePolls'),
      productMaxPollDelayMs: last.maxPollDelayMs,
      answering: last.answering,
      silent: last.silent,
      serverCpuPercent: Math.round((serverCpuSeconds / elapsed) * 100),
      serverRssMb: peakRssMb,
    };
    const ok = unpolled === 0 && result.productSkippedPolls === 0 && result.productFailedPolls === 0 && missedPolls === 0;
    return { result, ok };
  },
  { SNMP_HOST: '127.0.0.1', SNMP_STATS_INTERVAL_MS: '5000' },
);
