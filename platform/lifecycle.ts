/**
 * Component lifecycle. Every long-lived part (broker, store, ingest, web server, simulators) is a
 * {@link Component}: constructing it has no side effects; `start()` opens ports and files;
 * `stop()` releases them. A service's main starts components in order and stops them in reverse.
 */
import type { Logger } from './logger.js';

export interface Component {
  /** Name used in logs. */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts components in order; if one fails, stops the ones already started (reverse order) and rethrows. */
export async function startAll(components: readonly Component[], logger: Logger): Promise<void> {
  const started: Component[] = [];
  try {
    for (const component of components) {
      await component.start();
      started.push(component);
      logger.debug({ component: component.name }, 'started');
    }
  } catch (error) {
    await stopAll(started, logger);
    throw error;
  }
}

/** Stops components in reverse order; a failing stop is logged and does not prevent the others. */
export async function stopAll(components: readonly Component[], logger: Logger): Promise<void> {
  for (const component of [...components].reverse()) {
    try {
      await component.stop();
      logger.debug({ component: component.name }, 'stopped');
    } catch (error) {
      logger.error({ component: component.name, err: error }, 'stop failed');
    }
  }
}

/**
 * Runs a service until SIGINT/SIGTERM: starts the components, then on the first signal stops them
 * in reverse order and exits 0 (a second signal exits at once). Startup failure exits 1.
 */
export async function runService(components: readonly Component[], logger: Logger, onStarted?: () => void): Promise<void> {
  try {
    await startAll(components, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'startup failed');
    process.exitCode = 1;
    return;
  }
  onStarted?.();
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void stopAll(components, logger).then(() => {
      logger.info('stopped cleanly');
      logger.flush();
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
