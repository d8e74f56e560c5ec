import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';

describe('configuration', () => {
  it('needs nothing: SQLite in data/, port 4000, introspection and Sandbox on outside production', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 4000,
      database: { dialect: 'sqlite', file: 'data/keygate.db' },
      introspection: true,
      sandbox: true,
      trustProxy: { kind: 'none' },
    });
  });

  it('switches to PostgreSQL by DATABASE_URL alone', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/keygate' }).database).toEqual({ dialect: 'postgresql', url: 'postgres://u@db:5432/keygate' });
  });

  it('requires a master key in production and turns introspection and Sandbox off there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/KEYGATE_MASTER_KEY is required/);
    const config = loadConfig({ NODE_ENV: 'production', KEYGATE_MASTER_KEY: Buffer.alloc(32).toString('base64') });
    expect(config).toMatchObject({ introspection: false, sandbox: false });
  });

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'mysql://x'],
    ['KEYGATE_KEY_PREFIX', 'Bad_Prefix'],
    ['LOG_LEVEL', 'loud'],
  ])('fails fast with the variable named when %s is invalid', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name === 'DATABASE_URL' ? 'DATABASE_URL' : name));
  });

  it('parses KEYGATE_TRUST_PROXY and KEYGATE_CONSOLE_ORIGINS lists', () => {
    const config = loadConfig({ KEYGATE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1', KEYGATE_CONSOLE_ORIGINS: 'https://console.example.com,https://admin.example.com' });
    expect(config.trustProxy).toEqual({ kind: 'list', entries: ['10.0.0.0/8', '127.0.0.1'] });
    expect(config.consoleOrigins).toEqual(['https://console.example.com', 'https://admin.example.com']);
  });
});
