// Lifeline's settings, from command-line flags first, then LIFELINE_* environment variables, then defaults.
// A bad setting stops start-up with one line that names the setting and what it expects.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  publicUrl: string;
  /** 32 bytes that encrypt channel credentials at rest. */
  secretKey: Buffer;
  logLevel: string;
}

export interface ConfigFlags {
  host?: string;
  port?: string | number;
  data?: string;
  databaseUrl?: string;
  publicUrl?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function pick(flag: string | number | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined && flag !== '') return String(flag);
  return env !== undefined && env !== '' ? env : undefined;
}

export function parsePort(value: string, setting: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(setting, `expected a port number between 0 and 65535, got "${value}".`);
  }
  return port;
}

function parseHost(value: string): string {
  if (isIP(value) === 0 && !/^[a-zA-Z0-9.-]+$/.test(value)) {
    throw new ConfigError('LIFELINE_HOST', `expected an IP address or host name such as 127.0.0.1, got "${value}".`);
  }
  return value;
}

function parseDatabaseUrl(value: string | undefined, dataDir: string): string {
  if (!value) return join(dataDir, 'lifeline.db');
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError('LIFELINE_DATABASE_URL', `"${value}" is not a valid URL: expected postgres://user:password@host:5432/database.`);
    }
    return value;
  }
  if (value.startsWith('sqlite:')) return resolve(value.slice('sqlite:'.length));
  if (/^[a-z]+:\/\//.test(value)) {
    throw new ConfigError('LIFELINE_DATABASE_URL', `expected postgres://… or sqlite:path/to/file.db, got a ${value.split(':')[0]} URL.`);
  }
  return resolve(value);
}

function parsePublicUrl(value: string | undefined, host: string, port: number): string {
  if (!value) return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('LIFELINE_PUBLIC_URL', `expected an http(s) URL such as https://chat.example.com, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('LIFELINE_PUBLIC_URL', `expected an http(s) URL such as https://chat.example.com, got "${value}".`);
  }
  return value.replace(/\/+$/, '');
}

/** Accepts 32 bytes as 64 hex characters or as base64; anything else is refused rather than silently weakened. */
export function parseSecretKey(value: string, setting = 'LIFELINE_SECRET_KEY'): Buffer {
  const text = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(text) && !/^[A-Za-z0-9+/_-]{43}=?$/.test(text))) {
    throw new ConfigError(setting, 'expected 32 random bytes as 64 hex characters or base64 (make one with: openssl rand -base64 32).');
  }
  return key;
}

/** The key file in the data dir is made on first run, readable by the owner only. */
function loadOrCreateSecretKey(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return parseSecretKey(readFileSync(file, 'utf8'), file);
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Config {
  const host = parseHost(pick(flags.host, env.LIFELINE_HOST) ?? '127.0.0.1');
  const portText = pick(flags.port, env.LIFELINE_PORT) ?? '3000';
  const port = parsePort(portText, flags.port !== undefined ? '--port' : 'LIFELINE_PORT');
  const dataDir = resolve(pick(flags.data, env.LIFELINE_DATA_DIR) ?? './data');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new ConfigError('LIFELINE_DATA_DIR', `cannot create the data directory ${dataDir}: ${(error as Error).message}.`);
  }
  const databaseUrl = parseDatabaseUrl(pick(flags.databaseUrl, env.LIFELINE_DATABASE_URL), dataDir);
  const publicUrl = parsePublicUrl(pick(flags.publicUrl, env.LIFELINE_PUBLIC_URL), host, port);
  const secretText = env.LIFELINE_SECRET_KEY;
  const secretKey = secretText ? parseSecretKey(secretText) : loadOrCreateSecretKey(dataDir);
  const logLevel = env.LIFELINE_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LIFELINE_LOG_LEVEL', `expected one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}".`);
  }
  return { host, port, dataDir, databaseUrl, publicUrl, secretKey, logLevel };
}
