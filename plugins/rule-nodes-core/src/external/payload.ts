/** How external nodes turn message data into what they send, and failures into ThingsBoard's `error` metadata. */

/**
 * ThingsBoard's "parse to plain text": data that is a JSON string (`"hello"`) is sent as its text (`hello`)
 * instead of with its quotes; any other data is sent as it is.
 */
export function toPlainText(data: string): string {
  if (data.length < 2 || !data.startsWith('"') || !data.endsWith('"')) return data;
  try {
    const text: unknown = JSON.parse(data);
    return typeof text === 'string' ? text : data;
  } catch {
    return data;
  }
}

/** The `error` metadata value ThingsBoard sets on a failed call: the error's kind and its message. */
export function errorMetadata(error: Error): string {
  return `${error.name}: ${error.message}`;
}
