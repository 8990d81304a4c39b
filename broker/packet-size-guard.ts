/**
 * A hard cap on the size of one MQTT packet, enforced from its fixed header before the body is
 * buffered.
 *
 * MQTT 3.1.1 §2.2.3 allows packets of up to 256 MB, and Aedes' parser (mqtt-packet) buffers a whole
 * packet before handing it over; the payload limit (authorize-publish.ts) only runs after that. So
 * without this guard anyone who can open a TCP connection — before CONNECT, unauthenticated — can
 * make the broker hold hundreds of megabytes per connection. The guard reads the Remaining Length
 * as soon as the parser has decoded it and closes the connection when it exceeds the cap (MQTT
 * 3.1.1 has no way to refuse a single packet other than closing, §4.8).
 *
 * The cap is the payload limit plus room for everything else a legitimate packet carries (topic,
 * packet id, client id, credentials, Will topic), so every packet the payload limit would merely
 * drop is still read, acknowledged and dropped as before.
 *
 * Implementation note: mqtt-packet has no size option, so this wraps the parser's `_parseLength`
 * step on the instance Aedes created for the connection (mqtt-packet 9, Aedes 1.2). If a future
 * version renames it, {@link guardPacketSize} returns false and the broker logs that the guard is
 * off; tests/integration/security/packet-size.test.ts fails in that case.
 */

/** Room for the non-payload parts of a packet: topic (≤ 65,537 bytes) and ids, or CONNECT's strings. */
export const PACKET_OVERHEAD_BYTES = 128 * 1024;

/** The packet cap for a payload limit, bytes. */
export function maxPacketBytes(maxPayloadBytes: number): number {
  return maxPayloadBytes + PACKET_OVERHEAD_BYTES;
}

interface ParserState {
  readonly packet: { readonly length: number };
}

type ParseStep = (this: ParserState) => boolean;

function parserOf(client: object): (ParserState & { _parseLength: ParseStep }) | undefined {
  const parser: unknown = Reflect.get(client, '_parser');
  if (typeof parser !== 'object' || parser === null) return undefined;
  const step: unknown = Reflect.get(parser, '_parseLength');
  const packet: unknown = Reflect.get(parser, 'packet');
  if (typeof step !== 'function' || typeof packet !== 'object' || packet === null) return undefined;
  return parser as ParserState & { _parseLength: ParseStep };
}

/**
 * Caps the packets of one Aedes client at `maxBytes` (Remaining Length). `onOversize` runs once for
 * the first oversized packet, then the connection is destroyed. Returns false when the parser is not
 * the expected one (nothing is guarded then).
 */
export function guardPacketSize(
  client: object,
  socket: { destroy(): void },
  maxBytes: number,
  onOversize: (length: number) => void,
): boolean {
  const parser = parserOf(client);
  if (!parser) return false;
  const parseLength = parser._parseLength;
  let tripped = false;
  parser._parseLength = function guardedParseLength(this: ParserState): boolean {
    const complete = parseLength.call(this);
    if (!complete || this.packet.length <= maxBytes) return complete;
    if (!tripped) {
      tripped = true;
      onOversize(this.packet.length);
      socket.destroy();
    }
    // Stops the parse loop: the oversized body is never waited for nor buffered further.
    return false;
  };
  return true;
}
