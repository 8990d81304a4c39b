/**
 * Aedes with one addition: a PUBLISH can be acknowledged and then dropped, without disconnecting
 * the client.
 *
 * MQTT 3.1.1 §3.3.5 [MQTT-3.3.5-2]: a server that does not authorize a PUBLISH "MUST either make a
 * positive acknowledgement, according to the normal QoS rules, or close the Network Connection".
 * Aedes only implements the second: an error from `authorizePublish` closes the connection
 * (lib/handlers/publish.js; maintainers in moscajs/aedes#210: "There is none in MQTT 3.1.1").
 * Closing makes a device that once publishes on a wrong topic reconnect in a loop and lose its
 * good messages. Like Mosquitto we take the first option: the authorize handler marks the packet
 * with {@link drop} and lets it through; Aedes then sends PUBACK (QoS 1) or PUBREC/PUBCOMP (QoS 2)
 * as usual, and {@link publish} discards the packet before anything is stored (retained), queued
 * (offline sessions) or delivered. Wills denied the same way are simply never published.
 *
 * Construct with `new AckAndDropAedes(options)` then `await listen()`: that is all
 * `Aedes.createBroker()` does, but it always instantiates the base class.
 */
import { Aedes, type Client, type PublishPacket } from 'aedes';

type PublishCallback = (error?: Error) => void;

export class AckAndDropAedes extends Aedes {
  readonly #dropped = new WeakSet<PublishPacket>();

  /** Marks `packet` so that the coming {@link publish} of it acknowledges nothing and delivers nothing. */
  drop(packet: PublishPacket): void {
    this.#dropped.add(packet);
  }

  /**
   * Aedes calls this as `(packet, client, done)` from its PUBLISH and Will paths and as
   * `(packet, done)` from the public API; the type declarations only describe the latter.
   */
  override publish(packet: PublishPacket, clientOrDone?: Client | null | PublishCallback, done?: PublishCallback): void {
    if (this.#dropped.has(packet)) {
      this.#dropped.delete(packet);
      const callback = typeof clientOrDone === 'function' ? clientOrDone : done;
      // Asynchronously, as a real publish completes: Aedes parses the next packet of the socket's
      // read batch from this callback, and a synchronous call would recurse into its parser.
      if (callback) setImmediate(callback);
      return;
    }
    Reflect.apply(Aedes.prototype.publish, this, [packet, clientOrDone, done]);
  }
}
