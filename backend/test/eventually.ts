/**
 * Reads until `done` holds or `withinMs` pass, for what the app does after a call returns (the rule engine, OTA
 * rollouts, device state); returns the last value read, so that the test's assertion on it says what was wrong.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs = 10_000): Promise<T> {
  const until = Date.now() + withinMs;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}
