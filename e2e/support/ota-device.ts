let lastReportTs = 0;

/**
 * A device's fw_state report stamped with a moment of its own, as a careful device sends it: two reports
 * without `ts` in the same millisecond would keep only the later one (ThingsBoard stores them the same way).
 */
export function stateReport(state: string): string {
  lastReportTs = Math.max(Date.now(), lastReportTs + 1);
  return JSON.stringify({ ts: lastReportTs, values: { fw_state: state } });
}
