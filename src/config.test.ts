import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseSecretKey } from './config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'lifeline-config-'));

describe('loadConfig', () => {
  it('defaults to 127.0.0.1:3000 and a SQLite file in the data dir', () => {
    const dir = tempDir();
    const config = loadConfig({}, { LIFELINE_DATA_DIR: dir });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, dataDir: dir, databaseUrl: join(dir, 'lifeline.db'), publicUrl: 'http://127.0.0.1:3000' });
  });

  it('prefers flags to the environment', () => {
    const config = loadConfig({ port: '4000', data: tempDir() }, { LIFELINE_PORT: '5000' });
    expect(config.port).toBe(4000);
  });

  it('generates a secret key file readable only by the owner, and reuses it', () => {
    const dir = tempDir();
    const first = loadConfig({}, { LIFELINE_DATA_DIR: dir });
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(first.secretKey).toHaveLength(32);
    expect(loadConfig({}, { LIFELINE_DATA_DIR: dir }).secretKey.equals(first.secretKey)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(first.secretKey.toString('base64'));
  });

  it('selects PostgreSQL for postgres URLs', () => {
    const url = 'postgres://u:p@db.example.com:5432/lifeline';
    expect(loadConfig({}, { LIFELINE_DATA_DIR: tempDir(), LIFELINE_DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it.each([
    [{ LIFELINE_PORT: 'abc' }, 'LIFELINE_PORT'],
    [{ LIFELINE_PORT: '70000' }, 'LIFELINE_PORT'],
    [{ LIFELINE_DATABASE_URL: 'mysql://x/y' }, 'LIFELINE_DATABASE_URL'],
    [{ LIFELINE_PUBLIC_URL: 'ftp://x' }, 'LIFELINE_PUBLIC_URL'],
    [{ LIFELINE_SECRET_KEY: 'short' }, 'LIFELINE_SECRET_KEY'],
    [{ LIFELINE_HOST: 'not a host' }, 'LIFELINE_HOST'],
    [{ LIFELINE_LOG_LEVEL: 'loud' }, 'LIFELINE_LOG_LEVEL'],
  ])('stops on a bad setting %o with one line naming it', (env, setting) => {
    try {
      loadConfig({}, { LIFELINE_DATA_DIR: tempDir(), ...env });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe(setting);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toMatch(/expected/);
    }
  });
});

describe('parseSecretKey', () => {
  it('accepts 32 bytes in hex or base64', () => {
    expect(parseSecretKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64'))).toEqual(Buffer.alloc(32, 7));
  });
});
