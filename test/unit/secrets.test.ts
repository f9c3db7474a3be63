/**
 * Secrets kept in the data dir are readable by their owner only, and the payload keys come from
 * SILVER_PAYLOAD_KEY or a key file made on first start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../system/config';
import { payloadKeys, readSecretFile, SecretFileError, writeSecretFile } from '../../system/secrets';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-secrets-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const KEY = Buffer.alloc(32, 3).toString('base64');

test('a secret file is written 0600, never overwritten, and tightened back to 0600 when found wider', () => {
  const file = path.join(dir, 'admin-key');
  const old = process.umask(0);
  try {
    writeSecretFile(file, 'snk_secret\n');
  } finally {
    process.umask(old);
  }
  expect(modeOf(file)).toBe(0o600);
  expect(() => writeSecretFile(file, 'other')).toThrow();
  fs.chmodSync(file, 0o644);
  const warnings: string[] = [];
  expect(readSecretFile(file, (m) => warnings.push(m))).toBe('snk_secret\n');
  expect(modeOf(file)).toBe(0o600);
  expect(warnings.join()).toMatch(/readable by others/);
  expect(readSecretFile(path.join(dir, 'none'), () => undefined)).toBeUndefined();
});

test('payload keys: generated into the data dir by npm start, then kept; an API or worker alone needs them given', () => {
  const config = loadConfig({ SILVER_DATA_DIR: dir });
  expect(() => payloadKeys(config, 'api', () => undefined)).toThrow(SecretFileError);
  const first = payloadKeys(config, 'all', () => undefined);
  expect(first.keys).toHaveLength(1);
  expect(first.keys[0].key).toHaveLength(32);
  expect(first.note).toMatch(/generated/);
  expect(modeOf(path.join(dir, 'payload-keys'))).toBe(0o600);
  const again = payloadKeys(config, 'worker', () => undefined);
  expect(again.keys).toEqual(first.keys);
  expect(again.note).toBeUndefined();
  fs.writeFileSync(path.join(dir, 'payload-keys'), 'garbage');
  expect(() => payloadKeys(config, 'all', () => undefined)).toThrow(/damaged/);
});

test('SILVER_PAYLOAD_KEY: id:base64 keys, newest first; a malformed one stops start-up naming the variable', () => {
  const config = loadConfig({ SILVER_DATA_DIR: dir, SILVER_PAYLOAD_KEY: `new:${KEY}, old:${Buffer.alloc(32, 4).toString('base64')}` });
  expect(payloadKeys(config, 'api', () => undefined).keys.map((k) => k.id)).toEqual(['new', 'old']);
  for (const bad of ['nokey', `a:${Buffer.alloc(16).toString('base64')}`, `a:${KEY},a:${KEY}`, 'spaced id:abc']) {
    expect(() => loadConfig({ SILVER_PAYLOAD_KEY: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ SILVER_PAYLOAD_KEY: bad })).toThrow(/SILVER_PAYLOAD_KEY/);
  }
});

test('SILVER_WORKFLOW_CACHE: 200 by default, a whole number from 10', () => {
  expect(loadConfig({}).workflowCache).toBe(200);
  expect(loadConfig({ SILVER_WORKFLOW_CACHE: '1000' }).workflowCache).toBe(1000);
  for (const bad of ['0', '9', '1.5', 'all']) expect(() => loadConfig({ SILVER_WORKFLOW_CACHE: bad })).toThrow(/SILVER_WORKFLOW_CACHE/);
});

test('SILVER_RATE_LIMIT_PER_MINUTE: 600 by default, a positive whole number otherwise', () => {
  expect(loadConfig({}).rateLimitPerMinute).toBe(600);
  expect(loadConfig({ SILVER_RATE_LIMIT_PER_MINUTE: '60' }).rateLimitPerMinute).toBe(60);
  for (const bad of ['0', '-1', '1.5', 'many'])
    expect(() => loadConfig({ SILVER_RATE_LIMIT_PER_MINUTE: bad })).toThrow(/SILVER_RATE_LIMIT_PER_MINUTE/);
});
