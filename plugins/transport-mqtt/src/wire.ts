/**
 * Byte-level helpers next to mqtt-packet: the hot-path PUBACK encoding (written in batches, without
 * building a packet object per ack) and the CONNECT protocol-level fix-up the contract asks for.
 */

const PUBACK_TYPE = 0x40;

/** Encoded size of a PUBACK: MQTT 5 omits the reason code when it is Success (and there are no properties). */
export function pubackSize(reasonCode: number, v5: boolean): number {
  return v5 && reasonCode !== 0 ? 5 : 4;
}

/** Writes a PUBACK at `offset` and returns the offset after it. */
export function writePuback(target: Buffer, offset: number, messageId: number, reasonCode: number, v5: boolean): number {
  const withReason = v5 && reasonCode !== 0;
  target[offset] = PUBACK_TYPE;
  target[offset + 1] = withReason ? 3 : 2;
  target[offset + 2] = messageId >> 8;
  target[offset + 3] = messageId & 0xff;
  if (!withReason) return offset + 4;
  target[offset + 4] = reasonCode;
  return offset + 5;
}

export function encodePuback(messageId: number, reasonCode: number, v5: boolean): Buffer {
  const buffer = Buffer.allocUnsafe(pubackSize(reasonCode, v5));
  writePuback(buffer, 0, messageId, reasonCode, v5);
  return buffer;
}

const CONNECT_TYPE = 1;
const MAX_PROTOCOL_NAME_LENGTH = 6; // "MQIsdp"
const BRIDGE_FLAG = 0x80;

/**
 * The contract treats an unknown protocol level as 3.1.1 (§1.1) while mqtt-packet refuses it, so the level
 * byte of the first packet is rewritten to 4 before parsing. Returns the bytes to parse, or undefined while
 * `head` is too short to reach the level byte. Anything that is not a well-formed CONNECT start passes
 * unchanged (the parser then refuses it).
 */
export function normalizeProtocolLevel(head: Buffer): Buffer | undefined {
  if (head.length === 0) return undefined;
  if (head[0] >> 4 !== CONNECT_TYPE) return head;
  let offset = 1;
  for (let lengthBytes = 0; ; lengthBytes++) {
    if (lengthBytes === 4) return head;
    if (offset >= head.length) return undefined;
    if ((head[offset++] & 0x80) === 0) break;
  }
  if (offset + 2 > head.length) return undefined;
  const nameLength = head.readUInt16BE(offset);
  if (nameLength > MAX_PROTOCOL_NAME_LENGTH) return head;
  const levelAt = offset + 2 + nameLength;
  if (levelAt >= head.length) return undefined;
  const level = head[levelAt] & ~BRIDGE_FLAG;
  if (level < 3 || level > 5) head[levelAt] = (head[levelAt] & BRIDGE_FLAG) | 4;
  return head;
}
