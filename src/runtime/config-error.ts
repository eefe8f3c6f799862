/**
 * A setting is missing or malformed (an operational error: the CLI prints it and exits 2). Thrown
 * while configuration is resolved (`resolveServeConfig`) and by `buildServer` for settings the spec
 * names, such as signature secrets; `hint` says how to fix it.
 *
 * @example
 * throw new ConfigError('PORT "http" is not a port number (0-65535)', 'pass --port 3000 or set PORT=3000');
 */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
