/**
 * Where the notifier hears about alerts: the alert engine in the same process. Kept to this small
 * interface so the notifier is tested by feeding it changes, and wired to the engine in one line.
 */
import type { Alert, AlertChange } from '../../common/alerts.js';

export interface AlertChangeSource {
  /** Calls `listener` with every alert change, in order; returns a function that stops the calls. */
  onChange(listener: (change: AlertChange) => void): () => void;
  /**
   * The alerts active now, if the source can tell. The notifier calls it once in its start() to
   * reconcile its escalation state after a restart: alerts acknowledged or cleared while it was
   * down stop being reminded, active alerts it never announced are announced. The source must
   * therefore be started before the notifier (an engine that has not loaded its alerts yet would
   * make the notifier forget them).
   */
  activeAlerts?(): readonly Alert[] | Promise<readonly Alert[]>;
}
