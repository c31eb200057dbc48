/**
 * The slice of a structured logger that plugins may call. The runtime passes a pino child
 * logger bound to the request id; plugins never see more than this.
 *
 * Never log secrets or message content at info level: the runtime's logs are shipped.
 */
export interface PluginLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
